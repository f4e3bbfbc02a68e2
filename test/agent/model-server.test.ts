// The scripted Messages API server as other processes use it: started with node from a JSON
// script, answering the real SDK both streamed and not, and recording what it received.
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import Anthropic from "@anthropic-ai/sdk";
import { describe, expect, it } from "@jest/globals";
import { REPO_ROOT } from "../support/model-checkout.js";

describe("model-server.mjs standalone", () => {
  it("serves a JSON script over SSE and JSON to the SDK and records the requests", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bga-model-server-"));
    await writeFile(
      join(dir, "script.json"),
      JSON.stringify([
        { content: [{ type: "tool_use", name: "go", input: { args: ["test", "./..."] } }] },
        { error: { status: 529, message: "Overloaded" } },
        { content: [{ type: "text", text: "## Summary\nDone." }], usage: { output_tokens: 7 } },
      ]),
    );
    const child = spawn(
      process.execPath,
      [
        join(REPO_ROOT, "test/support/model-server.mjs"),
        "--script",
        join(dir, "script.json"),
        "--record",
        join(dir, "requests.jsonl"),
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    try {
      const line = await new Promise<string>((resolve) =>
        createInterface({ input: child.stdout! }).once("line", resolve),
      );
      const { url } = JSON.parse(line) as { url: string };
      const client = new Anthropic({ apiKey: "k", baseURL: url, maxRetries: 1 });
      const params = {
        model: "claude-opus-4-5",
        max_tokens: 100,
        messages: [{ role: "user" as const, content: "hi" }],
      };
      const streamed = await client.messages.stream(params).finalMessage();
      expect(streamed.stop_reason).toBe("tool_use");
      expect(streamed.content[0]).toMatchObject({
        type: "tool_use",
        name: "go",
        input: { args: ["test", "./..."] },
      });
      const plain = await client.messages.create(params);
      expect(plain.content).toEqual([{ type: "text", text: "## Summary\nDone." }]);
      expect(plain.usage.output_tokens).toBe(7);
      const recorded = (await readFile(join(dir, "requests.jsonl"), "utf8")).trim().split("\n");
      expect(recorded).toHaveLength(3);
      expect(JSON.parse(recorded[0]!).stream).toBe(true);
    } finally {
      child.kill("SIGTERM");
      await rm(dir, { recursive: true, force: true });
    }
  });
});
