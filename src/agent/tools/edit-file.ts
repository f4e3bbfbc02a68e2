import { writeFile } from "node:fs/promises";
import { z } from "zod";
import { resolveSafePath } from "../../workspace/safe-path.js";
import { checkWritable, readTextFile } from "./file-guards.js";
import { defineTool, ToolInputError } from "./types.js";

function countOccurrences(text: string, needle: string): number {
  let n = 0;
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) n++;
  return n;
}

/** A few numbered lines around the first change, so the model sees the edit landed. */
function excerpt(text: string, offset: number, length: number): string {
  const lines = text.split("\n");
  const first = text.slice(0, offset).split("\n").length;
  const last = first + text.slice(offset, offset + length).split("\n").length - 1;
  const from = Math.max(1, first - 3);
  const to = Math.min(lines.length, last + 3, from + 40);
  return lines
    .slice(from - 1, to)
    .map((l, i) => `${String(from + i).padStart(String(to).length)}\t${l}`)
    .join("\n");
}

export const editFile = defineTool({
  name: "edit_file",
  description:
    "Replace exact text in a file. old_string must appear exactly once (copy it from read_file output, " +
    "without line numbers) unless replace_all is true.",
  readOnly: false,
  input: z.object({
    path: z.string(),
    old_string: z.string().min(1),
    new_string: z.string(),
    replace_all: z.boolean().optional(),
  }),
  async run({ path, old_string, new_string, replace_all }, ctx) {
    await resolveSafePath(ctx.policy, path, { write: true });
    const { resolved, text } = await readTextFile(ctx, path);
    if (old_string === new_string)
      throw new ToolInputError("old_string and new_string are the same; nothing to change");
    const count = countOccurrences(text, old_string);
    if (count === 0) {
      throw new ToolInputError(
        `old_string was not found in ${resolved.rel}. Read the file again and copy the exact text, including whitespace.`,
      );
    }
    if (count > 1 && !replace_all) {
      throw new ToolInputError(
        `old_string appears ${count} times in ${resolved.rel}; include more surrounding lines to make it unique, or set replace_all.`,
      );
    }
    const offset = text.indexOf(old_string);
    const updated = replace_all
      ? text.split(old_string).join(new_string)
      : text.replace(old_string, () => new_string);
    checkWritable(ctx, path, updated);
    await writeFile(resolved.abs, updated, "utf8");
    ctx.touched.add(resolved.rel);
    return {
      content: `Edited ${resolved.rel}: replaced ${replace_all ? count : 1} occurrence${count > 1 && replace_all ? "s" : ""}.\n${excerpt(updated, offset, new_string.length)}`,
    };
  },
});
