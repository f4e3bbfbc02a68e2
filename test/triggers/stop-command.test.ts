import { describe, expect, it } from "@jest/globals";
import { parseAgentCommand } from "../../src/triggers/command.js";
import { parseTriggerEvent } from "../../src/triggers/parse-event.js";
import { isStopCommand } from "../../src/triggers/stop-command.js";
import { commentPayload, reviewCommentPayload } from "../support/webhook-payloads.js";

const stop = (body: string, word = "agent") => {
  const c = parseAgentCommand(body, word);
  return c ? isStopCommand(c) : false;
};

describe("/agent stop", () => {
  it("is the command word with `stop` alone", () => {
    expect(stop("/agent stop")).toBe(true);
    expect(stop("  /agent STOP!")).toBe(true);
    expect(stop("thanks\n/agent stop.")).toBe(true);
    expect(stop("/bot stop", "bot")).toBe(true);
  });

  it("is not a stop when it says more, names an agent, is quoted or fenced", () => {
    expect(stop("/agent stop using floats and use decimals")).toBe(false);
    expect(stop("/agent stop\nthe retries when the DB is down")).toBe(false);
    expect(stop("/agent @reviewer stop")).toBe(false);
    expect(stop("> /agent stop")).toBe(false);
    expect(stop("```\n/agent stop\n```")).toBe(false);
    expect(stop("/agent")).toBe(false);
  });

  it("parses to a stop request for the issue or PR, never a task", () => {
    const onIssue = parseTriggerEvent("issue_comment", "d-1", commentPayload("/agent stop"));
    expect(onIssue).toMatchObject({
      kind: "stop",
      stop: {
        deliveryId: "d-1",
        installationId: 7,
        target: { owner: "acme", repo: "ledger", number: 42, kind: "issue" },
        actor: "alice",
        commentId: 555,
        command: "agent",
      },
    });
    const onPr = parseTriggerEvent(
      "issue_comment",
      "d-2",
      commentPayload("/agent stop", { onPullRequest: true }),
    );
    expect(onPr).toMatchObject({ kind: "stop", stop: { target: { kind: "pull_request", number: 42 } } });
    const onLine = parseTriggerEvent(
      "pull_request_review_comment",
      "d-3",
      reviewCommentPayload("/agent stop"),
    );
    expect(onLine).toMatchObject({ kind: "stop", stop: { target: { kind: "pull_request", number: 7 } } });
  });

  it("from a bot, or with another command word, is ignored", () => {
    expect(
      parseTriggerEvent("issue_comment", "d-4", commentPayload("/agent stop", { senderType: "Bot" })).kind,
    ).toBe("ignore");
    expect(parseTriggerEvent("issue_comment", "d-5", commentPayload("/bot stop")).kind).toBe("ignore");
  });
});
