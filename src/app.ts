// Probot entry: webhook events → triggers → queue. Wiring only; the logic lives in
// triggers/ and jobs/.
import type { ApplicationFunction, Probot } from "probot";

export interface TriggerSink {
  /** Accepts a parsed trigger; must return quickly (the webhook waits on it). */
  accept(event: { name: string; id: string; payload: unknown }): Promise<void>;
}

export function createApp(sink: TriggerSink): ApplicationFunction {
  return (app: Probot) => {
    app.on(
      ["issues.labeled", "issue_comment.created", "pull_request_review_comment.created"],
      async (context) => {
        await sink.accept({ name: context.name, id: context.id, payload: context.payload });
      },
    );
  };
}
