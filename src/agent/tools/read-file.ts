import { z } from "zod";
import { readTextFile } from "./file-guards.js";
import { defineTool, ToolInputError } from "./types.js";

export const MAX_WINDOW_LINES = 400;
const MAX_LINE_CHARS = 2000;

export const readFile = defineTool({
  name: "read_file",
  description:
    `Read a text file with numbered lines, at most ${MAX_WINDOW_LINES} lines per call. ` +
    "Use start_line/end_line (1-based, inclusive) to page through longer files.",
  readOnly: true,
  input: z.object({
    path: z.string().describe("File path relative to the repository root."),
    start_line: z.number().int().min(1).optional(),
    end_line: z.number().int().min(1).optional(),
  }),
  async run({ path, start_line, end_line }, ctx) {
    const { resolved, text } = await readTextFile(ctx, path);
    if (text === "") return { content: `${resolved.rel} is empty (0 lines).` };
    const lines = text.endsWith("\n") ? text.slice(0, -1).split("\n") : text.split("\n");
    const total = lines.length;
    const start = start_line ?? 1;
    if (start > total)
      throw new ToolInputError(`start_line ${start} is past the end of ${resolved.rel} (${total} lines)`);
    const end = Math.min(total, end_line ?? total, start + MAX_WINDOW_LINES - 1);
    if (end < start) throw new ToolInputError(`end_line ${end_line} is before start_line ${start}`);
    const width = String(end).length;
    const body = lines
      .slice(start - 1, end)
      .map((line, i) => {
        const shown =
          line.length > MAX_LINE_CHARS
            ? `${line.slice(0, MAX_LINE_CHARS)} [... line cut, ${line.length} chars]`
            : line;
        return `${String(start + i).padStart(width)}\t${shown}`;
      })
      .join("\n");
    const notes: string[] = [];
    if (start > 1) notes.push(`lines 1-${start - 1} not shown`);
    if (end < total)
      notes.push(
        `lines ${end + 1}-${total} not shown; call read_file with start_line=${end + 1} to continue`,
      );
    const header = `${resolved.rel} (lines ${start}-${end} of ${total})`;
    return { content: notes.length ? `${header}\n${body}\n[${notes.join("; ")}]` : `${header}\n${body}` };
  },
});
