// Test helpers for the job queue: a TaskRequest builder and a poll-until helper.
import type { TaskRequest } from "../../src/pipeline/task.js";

export function makeTask(deliveryId: string, target: { repo?: string; number?: number } = {}): TaskRequest {
  return {
    deliveryId,
    installationId: 1,
    target: { owner: "acme", repo: target.repo ?? "svc", number: target.number ?? 1, kind: "issue" },
    trigger: {
      kind: "issue_label",
      label: "backend-go",
      actor: "octocat",
      instruction: "SECRET-INSTRUCTION do the thing",
      at: "2026-11-23T19:00:00Z",
    },
    context: { title: "Add a health endpoint", body: "THREAD-BODY untrusted text", comments: [] },
  };
}

/** Polls until pred() is truthy; throws with `what` after timeoutMs. */
export async function until<T>(
  pred: () => T | Promise<T>,
  what: string,
  timeoutMs = 15_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await pred();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A promise with its resolve function, for handlers that block until the test lets go. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => {
    open = r;
  });
  return { promise, open };
}
