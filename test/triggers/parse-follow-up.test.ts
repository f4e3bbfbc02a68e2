import { describe, expect, it } from "@jest/globals";
import {
  DEFAULT_TRIGGER_SETTINGS,
  MalformedPayloadError,
  parseTriggerEvent,
} from "../../src/triggers/parse-event.js";
import { checkRunCompletedPayload, reviewSubmitted } from "../support/webhook-payloads.js";

const settings = { ...DEFAULT_TRIGGER_SETTINGS, appId: 4242 };

describe("a submitted review → trigger", () => {
  it("with /agent in its body: a pr_review task with the command's words as the instruction", () => {
    const parsed = parseTriggerEvent(
      "pull_request_review",
      "d1",
      reviewSubmitted("/agent fix these"),
      settings,
    );
    expect(parsed).toMatchObject({
      kind: "task",
      task: {
        target: { number: 7, kind: "pull_request" },
        trigger: { kind: "pr_review", reviewId: 9001, instruction: "fix these", reviewCommand: "agent" },
      },
    });
  });

  it("without /agent: only a Request changes review on the bot's PR (the gate checks the opt-in)", () => {
    const plain = parseTriggerEvent("pull_request_review", "d", reviewSubmitted("LGTM"), settings);
    expect(plain).toMatchObject({ kind: "ignore", reason: "no /agent command" });
    const asked = parseTriggerEvent(
      "pull_request_review",
      "d",
      reviewSubmitted("Please rename", { state: "changes_requested" }),
      settings,
    );
    expect(asked).toMatchObject({ kind: "task", task: { trigger: { reviewState: "changes_requested" } } });
    expect(asked.kind === "task" && "reviewCommand" in asked.task.trigger).toBe(false);
    const persons = parseTriggerEvent(
      "pull_request_review",
      "d",
      reviewSubmitted("Please rename", { state: "changes_requested", prAuthor: "carol" }),
      settings,
    );
    expect(persons).toMatchObject({ kind: "ignore" });
  });

  it("never from a bot, and a malformed review is a MalformedPayloadError", () => {
    const bot = reviewSubmitted("/agent go", { reviewer: "ci[bot]" });
    expect(parseTriggerEvent("pull_request_review", "d", bot, settings)).toMatchObject({ kind: "ignore" });
    const broken = { ...reviewSubmitted("/agent go"), review: { body: "/agent go" } };
    expect(() => parseTriggerEvent("pull_request_review", "d", broken, settings)).toThrow(
      MalformedPayloadError,
    );
  });
});

describe("a completed check run → trigger", () => {
  it("a failure from another app: a ci_failure task deduplicated per head and check", () => {
    const parsed = parseTriggerEvent("check_run", "delivery-1", checkRunCompletedPayload(), settings);
    expect(parsed).toMatchObject({
      kind: "task",
      task: {
        target: { number: 7, kind: "pull_request" },
        trigger: { kind: "ci_failure", checkName: "lint", checkApp: { slug: "github-actions" } },
      },
    });
    const again = parseTriggerEvent("check_run", "delivery-2", checkRunCompletedPayload(), settings);
    expect(parsed.kind === "task" && again.kind === "task" && parsed.task.deliveryId).toBe(
      again.kind === "task" ? again.task.deliveryId : "",
    );
    const timedOut = checkRunCompletedPayload({ conclusion: "timed_out" });
    expect(parseTriggerEvent("check_run", "d", timedOut, settings).kind).toBe("task");
  });

  it("ignores success, the bot's own check, and a check without a pull request", () => {
    const ok = checkRunCompletedPayload({ conclusion: "success" });
    expect(parseTriggerEvent("check_run", "d", ok, settings)).toMatchObject({ kind: "ignore" });
    const own = checkRunCompletedPayload({ app: { id: 4242, slug: "backend-go-agent" } });
    expect(parseTriggerEvent("check_run", "d", own, settings)).toMatchObject({
      kind: "ignore",
      reason: "the bot's own check",
    });
    const orphan = checkRunCompletedPayload({ pullRequests: [] });
    expect(parseTriggerEvent("check_run", "d", orphan, settings)).toMatchObject({
      kind: "ignore",
      reason: expect.stringContaining("without a pull request"),
    });
  });

  it("a malformed check run is a MalformedPayloadError, not a crash", () => {
    const broken = checkRunCompletedPayload({ headSha: "not-a-sha" });
    expect(() => parseTriggerEvent("check_run", "d", broken, settings)).toThrow(MalformedPayloadError);
  });
});
