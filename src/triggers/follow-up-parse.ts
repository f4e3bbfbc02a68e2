// What the review and check-run parsers get from parse-event.ts, so they need not import it
// (no import cycle): the delivery, the settings, and its helpers for payloads and text.
import type { z } from "zod";
import type { TaskRequest } from "../pipeline/task.js";

export interface FollowUpParseContext {
  deliveryId: string;
  /** When the delivery arrived (ISO 8601). */
  at: string;
  commandWord: string;
  /** The App itself, so its own checks never trigger it. */
  appSlug?: string;
  appId?: number;
  /** Sanitised and capped like issue text. */
  clean(text: string | null | undefined): string;
  /** zod parse that throws MalformedPayloadError naming the first bad field. */
  parse<T>(schema: z.ZodType<T>, payload: unknown, event: string): T;
  isBot(user: { login: string; type?: string }): boolean;
}

export type FollowUpParsed = { kind: "ignore"; reason: string } | { kind: "task"; task: TaskRequest };
