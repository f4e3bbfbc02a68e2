import { z } from "zod";
import { defineTool } from "./types.js";

export const askClarification = defineTool({
  name: "ask_clarification",
  description:
    "Stop and ask the person who gave the task one or more questions, when the task is too ambiguous to do well. " +
    "This ends the run; nothing is committed.",
  readOnly: false,
  input: z.object({
    questions: z
      .union([z.array(z.string().min(1)).min(1), z.string().min(1)])
      .describe("The questions, each answerable on its own."),
  }),
  async run({ questions }) {
    const list = typeof questions === "string" ? [questions] : questions;
    return { content: "Your questions were sent. The run ends here.", clarification: list };
  },
});
