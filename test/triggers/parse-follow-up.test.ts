import { describe, expect, it } from "@jest/globals";
import {
  DEFAULT_TRIGGER_SETTINGS,
  MalformedPayloadError,
  parseTriggerEvent,
} from "../../src/triggers/parse-event.js";
import { statusTask } from "../../src/triggers/parse-status.js";
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
  it("a failure from another app: a ci_failure task deduplicated per head", () => {
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

describe("every kind of CI → one ci_failure trigger per head", () => {
  const sha = "c".repeat(40);
  const common = {
    repository: { id: 77, name: "ledger", owner: { login: "acme" } },
    installation: { id: 7 },
  };
  const suite = (o: { conclusion?: string; app?: { id: number; slug: string; name?: string } } = {}) => ({
    action: "completed",
    check_suite: {
      id: 555,
      head_sha: sha,
      conclusion: o.conclusion ?? "failure",
      app: o.app ?? { id: 5001, slug: "circleci-checks", name: "CircleCI Checks" },
      pull_requests: [{ number: 7, head: { ref: "backend-go/issue-1", sha } }],
    },
    sender: { login: "circleci-checks[bot]", type: "Bot" },
    ...common,
  });
  const status = (o: { state?: string; sender?: string; branches?: string[] } = {}) => ({
    id: 99,
    sha,
    state: o.state ?? "failure",
    context: "ci/jenkins: build",
    description: "Build #12 failed <!-- hidden -->",
    target_url: "https://jenkins.example.com/job/12",
    branches: (o.branches ?? ["backend-go/issue-1"]).map((name) => ({ name, commit: { sha } })),
    sender: { login: o.sender ?? "jenkins-ci[bot]", type: "Bot" },
    ...common,
  });

  it("a failing check suite of another app: the same task as a failing check run on that head", () => {
    const parsed = parseTriggerEvent("check_suite", "d-suite", suite(), settings);
    expect(parsed).toMatchObject({
      kind: "task",
      task: {
        deliveryId: `ci:acme/ledger#7@${sha}`,
        target: { number: 7, kind: "pull_request" },
        trigger: { kind: "ci_failure", source: "check_suite", checkRunId: 555, checkName: "CircleCI Checks" },
      },
    });
    const run = parseTriggerEvent("check_run", "d-run", checkRunCompletedPayload({ headSha: sha }), settings);
    expect(run.kind === "task" && run.task.deliveryId).toBe(`ci:acme/ledger#7@${sha}`);
    expect(parseTriggerEvent("check_suite", "d", suite({ conclusion: "success" }), settings)).toMatchObject({
      kind: "ignore",
    });
    const own = suite({ app: { id: 4242, slug: "backend-go-agent" } });
    expect(parseTriggerEvent("check_suite", "d", own, settings)).toMatchObject({
      kind: "ignore",
      reason: "the bot's own check suite",
    });
  });

  it("a failing or erroring status: its pull request is looked up, then the task is the head's one job", () => {
    const parsed = parseTriggerEvent("status", "d-status", status(), settings);
    expect(parsed.kind).toBe("status");
    if (parsed.kind !== "status") return;
    expect(parsed.status).toMatchObject({
      owner: "acme",
      repo: "ledger",
      sha,
      branches: ["backend-go/issue-1"],
    });
    expect(parsed.status.trigger).toMatchObject({
      kind: "ci_failure",
      source: "status",
      checkName: "ci/jenkins: build",
      conclusion: "failure",
      description: "Build #12 failed",
      targetUrl: "https://jenkins.example.com/job/12",
    });
    const task = statusTask(parsed.status, 7);
    expect(task.deliveryId).toBe(`ci:acme/ledger#7@${sha}`);
    expect(task.target).toEqual({ owner: "acme", repo: "ledger", number: 7, kind: "pull_request" });
    expect(parseTriggerEvent("status", "d", status({ state: "error" }), settings).kind).toBe("status");
  });

  it("ignores passing and pending statuses, the bot's own, and one no branch points at", () => {
    const withSlug = { ...settings, appSlug: "backend-go-agent" };
    for (const state of ["success", "pending"]) {
      expect(parseTriggerEvent("status", "d", status({ state }), withSlug)).toMatchObject({ kind: "ignore" });
    }
    expect(
      parseTriggerEvent("status", "d", status({ sender: "backend-go-agent[bot]" }), withSlug),
    ).toMatchObject({ kind: "ignore", reason: "the bot's own status" });
    expect(parseTriggerEvent("status", "d", status({ branches: [] }), withSlug)).toMatchObject({
      kind: "ignore",
    });
    expect(() => parseTriggerEvent("status", "d", { ...status(), sha: "nope" }, withSlug)).toThrow(
      MalformedPayloadError,
    );
  });
});
