import { describe, expect, it } from "@jest/globals";
import { Probot, ProbotOctokit } from "probot";
import { createApp } from "../src/app.js";

describe("probot app", () => {
  it("loads in Probot and receives an issues.labeled event", async () => {
    const received: { name: string; id: string }[] = [];
    const probot = new Probot({
      githubToken: "test",
      Octokit: ProbotOctokit.defaults({ retry: { enabled: false }, throttle: { enabled: false } }),
      logLevel: "fatal",
    });
    await probot.load(createApp({ accept: async (e) => void received.push({ name: e.name, id: e.id }) }));
    await probot.receive({
      id: "delivery-1",
      name: "issues",
      payload: {
        action: "labeled",
        label: { name: "backend-go" },
        issue: { number: 1, title: "t", body: "b" },
        repository: { name: "r", owner: { login: "o" } },
        sender: { login: "u", type: "User" },
        installation: { id: 1 },
      } as never,
    });
    expect(received).toEqual([{ name: "issues", id: "delivery-1" }]);
  });
});
