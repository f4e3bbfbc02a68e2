import { stat, unlink } from "node:fs/promises";
import { z } from "zod";
import { resolveSafePath } from "../../workspace/safe-path.js";
import { defineTool, ToolInputError } from "./types.js";

export const deleteFile = defineTool({
  name: "delete_file",
  description: "Delete one file.",
  readOnly: false,
  input: z.object({ path: z.string() }),
  async run({ path }, ctx) {
    const target = await resolveSafePath(ctx.policy, path, { write: true });
    if (!target.exists) throw new ToolInputError(`"${path}" does not exist`);
    if ((await stat(target.abs)).isDirectory())
      throw new ToolInputError(`"${path}" is a directory; delete its files one by one`);
    await unlink(target.abs);
    ctx.touched.add(target.rel);
    return { content: `Deleted ${target.rel}.` };
  },
});
