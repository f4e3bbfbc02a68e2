// Reading and writing files through the path policy, with the size cap and binary refusal.
import { readFile, stat } from "node:fs/promises";
import { type ResolvedPath, resolveSafePath } from "../../workspace/safe-path.js";
import { type ToolContext, ToolInputError } from "./types.js";

export function looksBinary(buf: Buffer): boolean {
  return buf.subarray(0, 8192).includes(0);
}

export async function resolveForRead(ctx: ToolContext, path: string): Promise<ResolvedPath> {
  const resolved = await resolveSafePath(ctx.policy, path, { write: false });
  if (!resolved.exists) throw new ToolInputError(`"${path}" does not exist`);
  return resolved;
}

/** Reads a text file, refusing directories, files over the cap and binary files. */
export async function readTextFile(
  ctx: ToolContext,
  path: string,
): Promise<{ resolved: ResolvedPath; text: string }> {
  const resolved = await resolveForRead(ctx, path);
  const info = await stat(resolved.abs);
  if (info.isDirectory()) throw new ToolInputError(`"${path}" is a directory; use list_files`);
  if (!info.isFile()) throw new ToolInputError(`"${path}" is not a regular file`);
  if (info.size > ctx.maxFileBytes) {
    throw new ToolInputError(
      `"${path}" is ${info.size} bytes, over the ${ctx.maxFileBytes}-byte limit for files`,
    );
  }
  const buf = await readFile(resolved.abs);
  if (looksBinary(buf))
    throw new ToolInputError(`"${path}" is a binary file; only text files can be read or edited`);
  return { resolved, text: buf.toString("utf8") };
}

export function checkWritable(ctx: ToolContext, path: string, content: string): void {
  const bytes = Buffer.byteLength(content, "utf8");
  if (bytes > ctx.maxFileBytes) {
    throw new ToolInputError(
      `content for "${path}" is ${bytes} bytes, over the ${ctx.maxFileBytes}-byte limit`,
    );
  }
  if (content.includes("\0"))
    throw new ToolInputError(`content for "${path}" contains NUL bytes; binary files cannot be written`);
}
