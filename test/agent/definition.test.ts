import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "@jest/globals";
import {
  AgentDefinitionError,
  loadAgentDefinition,
  parseAgentDefinition,
} from "../../src/agent/definition.js";
import { resolveModel } from "../../src/agent/model/models.js";

const GOOD = `---
name: tiny
description: A tiny agent.
model: sonnet
version: 1.0.0
type: specialist
changelog:
  - 1.0.0: first
output_schema:
  format: markdown
  required_sections:
    - name: Summary
      pattern: "^## Summary"
      required: true
---
# Tiny
Do small things.
`;

describe("agent definition loader", () => {
  it("loads the Go backend engineer definition shipped in agents/", async () => {
    const def = await loadAgentDefinition("agents/backend-engineer-golang.md");
    expect(def.name).toBe("backend-engineer-golang");
    expect(def.model).toBe("opus");
    expect(def.version).toBe("1.1.0");
    expect(def.type).toBe("specialist");
    expect(def.output_schema.required_sections.map((s) => s.name)).toEqual([
      "Summary",
      "Implementation",
      "Files Changed",
      "Testing",
      "Next Steps",
    ]);
    expect(def.prompt).toMatch(/^# Backend Engineer Golang/);
    expect(def.prompt).toContain("## Handling Ambiguous Requirements");
  });

  it("keeps the seed's words exactly (only line breaks were restored)", async () => {
    const words = (s: string) => s.split(/\s+/).filter(Boolean);
    // The seed as it was handed over, line breaks lost; kept in the repository so the check
    // runs on any clone.
    const seed = await readFile(
      new URL("../fixtures/seed/backend-engineer-golang.seed.txt", import.meta.url),
      "utf8",
    );
    const restored = await readFile("agents/backend-engineer-golang.md", "utf8");
    expect(words(restored)).toEqual(words(seed));
  });

  it("names the file and the field when the front matter is broken", async () => {
    const dir = await mkdtemp(join(tmpdir(), "agent-def-"));
    const file = join(dir, "broken.md");
    await writeFile(file, GOOD.replace("version: 1.0.0", "version: one"));
    const err = await loadAgentDefinition(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AgentDefinitionError);
    expect((err as AgentDefinitionError).file).toBe(file);
    expect((err as AgentDefinitionError).field).toBe("version");
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toContain('"version"');
  });

  it("names nested fields, such as a section's missing pattern", () => {
    const text = GOOD.replace('      pattern: "^## Summary"\n', "");
    expect(() => parseAgentDefinition(text, "x.md")).toThrow(
      /output_schema\.required_sections\[0\]\.pattern/,
    );
  });

  it("rejects a section pattern that is not a valid regular expression", () => {
    const text = GOOD.replace('"^## Summary"', '"^## (Summary"');
    expect(() => parseAgentDefinition(text, "x.md")).toThrow(/pattern.*not a valid regular expression/);
  });

  it("reports a missing required field", () => {
    expect(() => parseAgentDefinition(GOOD.replace("description: A tiny agent.\n", ""), "x.md")).toThrow(
      /x\.md: front matter field "description"/,
    );
  });

  it("never evaluates JavaScript front matter", () => {
    const marker = "__agentDefinitionEvaluated";
    const hostile = `---js\n{ name: (globalThis.${marker} = true, "evil"), description: "d", model: "opus" }\n---\nbody\n`;
    expect(() => parseAgentDefinition(hostile, "evil.md")).toThrow(/not allowed; use YAML/);
    expect((globalThis as Record<string, unknown>)[marker]).toBeUndefined();
  });

  it("gives files without output_schema the standard report sections", () => {
    const claudeStyle =
      "---\nname: reviewer\ndescription: Reviews.\nmodel: haiku\ntools: read_file, search_code\n---\nReview.\n";
    const def = parseAgentDefinition(claudeStyle, "reviewer.md");
    expect(def.tools).toEqual(["read_file", "search_code"]);
    expect(def.output_schema.required_sections).toHaveLength(5);
  });
});

describe("model aliases", () => {
  it("maps aliases to concrete ids and lets configuration override them", () => {
    expect(resolveModel("opus")).toMatch(/^claude-opus-/);
    expect(resolveModel("sonnet")).toMatch(/^claude-sonnet-/);
    expect(resolveModel("haiku")).toMatch(/^claude-haiku-/);
    expect(resolveModel("opus", { opus: "claude-opus-9" })).toBe("claude-opus-9");
    expect(resolveModel("claude-custom-1")).toBe("claude-custom-1");
  });
});
