import { mkdir, stat, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { z } from "zod";
import { resolveSafePath } from "../../workspace/safe-path.js";
import { checkWritable } from "./file-guards.js";
import { defineTool, ToolInputError } from "./types.js";

export const writeFileTool = defineTool({
  name: "write_file",
  description: "Create a file, or overwrite it with the full new content. Parent directories are created.",
  readOnly: false,
  input: z.object({
    path: z.string().describe("File path relative to the repository root."),
    content: z.string().describe("The complete file content."),
  }),
  async run({ path, content }, ctx) {
    checkWritable(ctx, path, content);
    const target = await resolveSafePath(ctx.policy, path, { write: true });
    if (target.exists && (await stat(target.abs)).isDirectory()) {
      throw new ToolInputError(`"${path}" is a directory`);
    }
    await mkdir(dirname(target.abs), { recursive: true });
    await writeFile(target.abs, content, "utf8");
    ctx.touched.add(target.rel);
    const lines = content === "" ? 0 : content.split("\n").length - (content.endsWith("\n") ? 1 : 0);
    return {
      content: `${target.exists ? "Overwrote" : "Created"} ${target.rel} (${lines} lines, ${Buffer.byteLength(content)} bytes).`,
    };
  },
});
