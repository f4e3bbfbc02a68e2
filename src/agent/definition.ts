// Loads an agent definition: Markdown with YAML front matter. Definitions may come from
// repositories, so front matter is parsed as YAML (or JSON) only — gray-matter's `---js`
// engine would eval it.
import { readFile } from "node:fs/promises";
import matter from "gray-matter";
import { z } from "zod";

export class AgentDefinitionError extends Error {
  override name = "AgentDefinitionError";
  constructor(
    readonly file: string,
    readonly field: string | undefined,
    message: string,
  ) {
    super(field ? `${file}: front matter field "${field}": ${message}` : `${file}: ${message}`);
  }
}

const regexString = z.string().refine(
  (p) => {
    try {
      new RegExp(p, "m");
      return true;
    } catch {
      return false;
    }
  },
  { message: "is not a valid regular expression" },
);

const sectionSchema = z.object({
  name: z.string().min(1),
  pattern: regexString,
  required: z.boolean().default(true),
});

const outputSchemaSchema = z.object({
  format: z.literal("markdown"),
  required_sections: z.array(sectionSchema).min(1),
});

export type SectionSpec = z.infer<typeof sectionSchema>;
export type OutputSchema = z.infer<typeof outputSchemaSchema>;

/** The report sections every definition without its own `output_schema` must produce. */
export const DEFAULT_OUTPUT_SCHEMA: OutputSchema = {
  format: "markdown",
  required_sections: ["Summary", "Implementation", "Files Changed", "Testing", "Next Steps"].map((name) => ({
    name,
    pattern: `^## ${name}`,
    required: true,
  })),
};

const frontMatterSchema = z.looseObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i, "must be letters, digits, '.', '_' or '-'"),
  description: z.string().min(1),
  model: z.string().min(1),
  version: z
    .union([z.string(), z.number()])
    .transform(String)
    .pipe(z.string().regex(/^\d+\.\d+(\.\d+)?([-+].*)?$/, "must be a version like 1.2.0"))
    .default("0.0.0"),
  type: z.string().min(1).default("specialist"),
  last_updated: z.union([z.string(), z.date()]).optional(),
  changelog: z.array(z.union([z.string(), z.record(z.string(), z.unknown())])).default([]),
  // Claude Code subagent files name the tools an agent may use, comma-separated or as a list.
  tools: z
    .union([z.string(), z.array(z.string())])
    .transform((t) => (typeof t === "string" ? t.split(",") : t).map((s) => s.trim()).filter(Boolean))
    .optional(),
  output_schema: outputSchemaSchema.default(DEFAULT_OUTPUT_SCHEMA),
});

export type AgentFrontMatter = z.infer<typeof frontMatterSchema>;

export interface AgentDefinition extends AgentFrontMatter {
  /** The Markdown body: the agent's system prompt. */
  prompt: string;
  /** Where the definition came from, for messages. */
  source: string;
}

const refuseEngine = (language: string) => () => {
  throw new Error(`front matter language "${language}" is not allowed; use YAML`);
};

function pathOf(issuePath: PropertyKey[]): string {
  return issuePath
    .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join("");
}

/** Parses definition text. `source` names the file in error messages. */
export function parseAgentDefinition(text: string, source: string): AgentDefinition {
  const opening = /^---([^\r\n]*)\r?\n/.exec(text);
  if (!opening)
    throw new AgentDefinitionError(source, undefined, "has no front matter (it must start with ---)");
  const language = opening[1]?.trim() ?? "";
  if (language !== "" && language !== "yaml" && language !== "yml") {
    throw new AgentDefinitionError(
      source,
      undefined,
      `front matter language "${language}" is not allowed; use YAML`,
    );
  }
  let parsed: matter.GrayMatterFile<string>;
  try {
    parsed = matter(text, {
      language: "yaml",
      engines: {
        javascript: refuseEngine("javascript"),
        js: refuseEngine("js"),
        coffee: refuseEngine("coffee"),
      },
    });
  } catch (err) {
    throw new AgentDefinitionError(
      source,
      undefined,
      `front matter is not valid YAML: ${(err as Error).message}`,
    );
  }
  const result = frontMatterSchema.safeParse(parsed.data);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issue.path.length > 0 ? pathOf(issue.path) : undefined;
    throw new AgentDefinitionError(source, field ?? "(root)", issue.message);
  }
  const prompt = parsed.content.trim();
  if (!prompt)
    throw new AgentDefinitionError(source, undefined, "has an empty body; the body is the agent's prompt");
  return { ...result.data, prompt, source };
}

export async function loadAgentDefinition(file: string): Promise<AgentDefinition> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new AgentDefinitionError(file, undefined, `cannot be read: ${(err as Error).message}`);
  }
  return parseAgentDefinition(text, file);
}
