// End to end, as a maintainer sees it: the real app process (node dist/main.js, as `npm
// start` runs it), signed webhooks over HTTP, the GitHub stand-in's REST API and git over
// smart HTTP, the scripted model through the real SDK, real git, real Go in the sandbox.
// Scenarios share one app, one stand-in and one model server. Each can run alone (`-t`):
// the ones that build on the first PR open it themselves when it is not there yet.
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { BALANCE_HANDLER, BALANCE_ROUTE_EDIT, BALANCE_TEST } from "../agent/ledger-code.js";
import { testToolchain } from "../golang/support.js";
import type { GitHubStandIn } from "../support/github-server.js";
import type { CommentState, IssueState } from "../support/github-state.js";
import { issueCommentCreated, issuesLabeled } from "../support/github-webhooks.js";
import { LEDGER_FIXTURE } from "../support/model-checkout.js";
import {
  callTools,
  GO_ENGINEER_SECTIONS,
  httpError,
  type RecordedRequest,
  report,
  type ScriptedModelServer,
  type ScriptStep,
  say,
  tool,
} from "../support/scripted-model.js";
import { API_KEY, type AppProcess, WEBHOOK_SECRET, waitFor } from "./harness.js";
import { type E2EWorld, type JobView, startWorld } from "./world.js";

const OWNER = "acme";
const REPO = "ledger";

let world: E2EWorld;
let gh: GitHubStandIn;
let model: ScriptedModelServer;
let app: AppProcess;

beforeAll(async () => {
  world = await startWorld();
  ({ gh, model } = world);
  await gh.createRepo(OWNER, REPO, { fromDir: LEDGER_FIXTURE });
  await gh.createRepo(OWNER, "payments", { fromDir: LEDGER_FIXTURE });
  await gh.git.commitFiles(`${OWNER}/payments`, "main", {
    ".github/backend-go-agent.yml": "budgets:\n  max_turns: 3\n",
  });
  for (const repo of [REPO, "payments"]) {
    gh.setPermission(OWNER, repo, "alice", "write");
    gh.setPermission(OWNER, repo, "bob", "read");
  }
  app = await world.startApp();
}, 120_000);

afterAll(() => world?.close());

// ---- helpers -------------------------------------------------------------------------

const jobs = () => world.jobs(app);
const finishedJob = (deliveryId: string) => world.finishedJob(deliveryId, undefined, app);

const label = (issue: IssueState, sender = "alice", deliveryId?: string, repo = REPO) =>
  world.deliver(
    "issues",
    issuesLabeled(gh, { owner: OWNER, repo, number: issue.number, label: "backend-go", sender }),
    { app, ...(deliveryId ? { deliveryId } : {}) },
  );

const comment = (number: number, body: string, sender = "alice", repo = REPO) =>
  world.deliver("issue_comment", issueCommentCreated(gh, { owner: OWNER, repo, number, body, sender }), {
    app,
  });

const botComments = (number: number, repo = REPO): CommentState[] =>
  gh.state.commentsOn(OWNER, repo, number).filter((c) => c.user.login === gh.bot.login);
const tracking = (number: number, repo = REPO) =>
  botComments(number, repo).filter((c) => c.body.includes("backend-go-agent:tracking"));
const pullFor = (branch: string, repo = REPO) =>
  gh.state.pulls(OWNER, repo).filter((p) => p.pull?.head === branch);

function featureScript(extra: { file: string; content: string }[] = []): ScriptStep[] {
  return [
    tool("read_file", { path: "api/server.go" }),
    callTools(
      { name: "write_file", input: { path: "api/balance.go", content: BALANCE_HANDLER } },
      { name: "write_file", input: { path: "api/balance_test.go", content: BALANCE_TEST } },
      { name: "edit_file", input: BALANCE_ROUTE_EDIT },
      ...extra.map((e) => ({ name: "write_file", input: { path: e.file, content: e.content } })),
    ),
    tool("go", { args: ["test", "./..."] }),
    say(
      [
        "## Summary\nAdded GET /accounts/balance?account=<id>, returning the balance in cents.\n",
        "## Implementation\nA handler on the existing server; unknown accounts get 404.\n",
        "## Files Changed\n- `api/balance.go`\n- `api/balance_test.go`\n- `api/server.go`\n",
        "## Testing\n`go test ./...` passes, with a table test for known and unknown accounts.\n",
        "## Next Steps\nPagination of account listings.\n",
      ].join("\n"),
    ),
  ];
}

function requestsSince(n: number): RecordedRequest[] {
  return model.requests.slice(n);
}

function everythingTheAppWrote(): string {
  const gitHubWrites = gh.state.requests
    .filter((r) => r.method !== "GET")
    .map((r) => JSON.stringify(r.body ?? ""))
    .join("\n");
  return `${app.output()}\n${gitHubWrites}\n${JSON.stringify(model.requests)}`;
}

// ---- scenarios -----------------------------------------------------------------------

/** A job's first Go build is cold on a fresh machine, and a case run alone opens the first PR too. */
const JOB_CASE_MS = 480_000;

describe("the app end to end", () => {
  const branch = "backend-go/issue-1";
  let opened: Promise<{ feature: IssueState; firstDelivery: string; job: JobView }> | undefined;

  /** The first scenario's PR: opened by the label on a new issue, once per run. */
  function featurePullRequest() {
    opened ??= (async () => {
      const feature = gh.createIssue(OWNER, REPO, {
        title: "Add a balance endpoint",
        body: "GET /accounts/balance?account=<id> should return the balance in cents.",
        user: "alice",
      });
      model.add(...featureScript());
      const firstDelivery = await label(feature);
      return { feature, firstDelivery, job: await finishedJob(firstDelivery) };
    })();
    return opened;
  }

  it(
    "1. the backend-go label on an issue opens a verified, ready pull request",
    async () => {
      const { feature, job } = await featurePullRequest();
      expect(feature.number).toBe(1);
      expect(job).toMatchObject({ status: "succeeded", agent: "backend-engineer-golang@1.1.0" });

      const [pr] = pullFor(branch);
      expect(pr).toBeDefined();
      expect(pr!.pull!.draft).toBe(false);
      expect(pr!.title).toBe("Add a balance endpoint");
      for (const section of GO_ENGINEER_SECTIONS) expect(pr!.body).toContain(`## ${section}`);
      expect(pr!.body).toContain("Verified by backend-go-agent");
      expect(pr!.body).toMatch(/go test[^\n]*pass/);
      expect(pr!.body).toContain(`Closes #${feature.number}`);
      expect(job.prUrl).toContain(`/pull/${pr!.number}`);

      // A fresh clone of the branch holds the change, and its tests pass.
      const clone = await mkdtemp(join(tmpdir(), "bga-e2e-clone-"));
      try {
        execFileSync("git", ["clone", "-q", "--branch", branch, gh.git.gitDir(`${OWNER}/${REPO}`), clone]);
        const log = execFileSync("git", ["log", "-1", "--format=%an <%ae>%n%B"], {
          cwd: clone,
          encoding: "utf8",
        });
        expect(log).toContain(`${gh.app.slug}[bot]`);
        expect(log).toContain("Added GET /accounts/balance");
        expect(log).toMatch(/Co-authored-by: alice <\d+\+alice@users\.noreply\.github\.com>/);
        const toolchain = await testToolchain();
        const run = await toolchain.go(["test", "./..."], { cwd: clone, timeoutMs: 120_000 });
        expect(run.stdout).toContain("ok  \texample.com/ledger-service/api");
        expect(run.exitCode).toBe(0);
      } finally {
        await rm(clone, { recursive: true, force: true });
      }

      const [track] = tracking(feature.number);
      expect(track!.body).toContain("finished");
      expect(track!.body.trim().split("\n").slice(-3).join("\n")).toContain(`/pull/${pr!.number}`);
      const head = await gh.git.revParse(`${OWNER}/${REPO}`, branch);
      const check = gh.state.checkRuns.find((c) => c.headSha === head);
      expect(check).toMatchObject({
        status: "completed",
        conclusion: "success",
        name: "backend-go-agent / verify",
      });
      expect(gh.state.reactions.some((r) => r.subject === "issue" && r.content === "eyes")).toBe(true);
    },
    JOB_CASE_MS,
  );

  it(
    "2. a redelivered webhook makes no second job; a second label updates the same PR",
    async () => {
      const { feature, firstDelivery } = await featurePullRequest();
      const before = model.requests.length;
      await label(feature, "alice", firstDelivery);
      // The webhook is answered after the enqueue decision; a second job would keep the queue busy.
      await world.idle(app);
      expect((await jobs()).filter((j) => j.deliveryId === firstDelivery)).toHaveLength(1);
      expect(model.requests.length).toBe(before);

      model.add(
        tool("write_file", {
          path: "api/doc.go",
          content: "// Package api serves the ledger over HTTP.\npackage api\n",
        }),
        say(report(GO_ENGINEER_SECTIONS, "Documented the api package.")),
      );
      const job = await finishedJob(await label(feature));
      expect(job.status).toBe("succeeded");
      const prs = pullFor(branch);
      expect(prs).toHaveLength(1);
      expect(prs[0]!.body).toContain("Documented the api package.");
      const count = execFileSync("git", ["rev-list", "--count", `main..${branch}`], {
        cwd: gh.git.gitDir(`${OWNER}/${REPO}`),
        encoding: "utf8",
      });
      expect(Number(count)).toBe(2);
    },
    JOB_CASE_MS,
  );

  it("3. /agent from a read-only user: no job, no model call, one reply", async () => {
    const before = model.requests.length;
    const other = gh.createIssue(OWNER, REPO, { title: "Rename the package", user: "bob" });
    const deliveries = [
      await comment(other.number, "/agent rename everything", "bob"),
      await comment(other.number, "/agent please", "bob"),
    ];
    await waitFor("the reply", () => botComments(other.number).length > 0);
    await new Promise((r) => setTimeout(r, 300));
    expect((await jobs()).filter((j) => deliveries.includes(j.deliveryId))).toEqual([]);
    expect(model.requests.length).toBe(before);
    const replies = botComments(other.number);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.body).toMatch(/Only people with \*\*write\*\* permission/);
    expect(pullFor(`backend-go/issue-${other.number}`)).toHaveLength(0);
  });

  it(
    "4. /agent on the bot's PR adds a commit to its branch and answers with the report",
    async () => {
      await featurePullRequest();
      const [pr] = pullFor(branch);
      const headBefore = await gh.git.revParse(`${OWNER}/${REPO}`, branch);
      const before = model.requests.length;
      model.add(
        tool("edit_file", {
          path: "ledger/ledger.go",
          old_string: 'return fmt.Errorf("deposit %d to %s: amount must be positive", cents, account)',
          new_string: 'return fmt.Errorf("deposit %d to %s: %w", cents, account, ErrInvalidAmount)',
        }),
        tool("edit_file", {
          path: "ledger/ledger.go",
          old_string: "// ErrInsufficientFunds",
          new_string:
            '// ErrInvalidAmount is returned for an amount that is not positive.\nvar ErrInvalidAmount = errors.New("amount must be positive")\n\n// ErrInsufficientFunds',
        }),
        say(report(GO_ENGINEER_SECTIONS, "Wrapped the amount error with %w.")),
      );
      const job = await finishedJob(await comment(pr!.number, "/agent wrap the errors with %w"));
      expect(job.status).toBe("succeeded");
      const firstRequest = requestsSince(before)[0]!;
      expect(JSON.stringify(firstRequest.messages[0])).toContain("wrap the errors with %w");
      expect(JSON.stringify(firstRequest.messages[0])).toContain("api/balance.go");
      const headAfter = await gh.git.revParse(`${OWNER}/${REPO}`, branch);
      expect(headAfter).not.toBe(headBefore);
      const parent = execFileSync("git", ["rev-parse", `${headAfter}^`], {
        cwd: gh.git.gitDir(`${OWNER}/${REPO}`),
        encoding: "utf8",
      }).trim();
      expect(parent).toBe(headBefore);
      const reportComment = botComments(pr!.number).find((c) => c.body.includes("backend-go-agent:report"));
      expect(reportComment?.body).toContain("Wrapped the amount error with %w.");
      expect(reportComment?.body).toContain("Verified by backend-go-agent");
      expect(pullFor(branch)).toHaveLength(1);
    },
    JOB_CASE_MS,
  );

  it(
    "5. a clarifying question: questions, the needs-info label, no PR; the answer brings the PR",
    async () => {
      const issue = gh.createIssue(OWNER, REPO, {
        title: "Add interest",
        body: "Accounts should earn interest.",
      });
      model.add(
        tool("ask_clarification", {
          questions: ["Simple or compound interest?", "Monthly or daily accrual?"],
        }),
      );
      const asked = await finishedJob(await label(issue));
      expect(asked.status).toBe("succeeded");
      const questions = botComments(issue.number).find((c) => c.body.includes("backend-go-agent:questions"));
      expect(questions?.body).toContain("1. Simple or compound interest?");
      expect(questions?.body).toContain("2. Monthly or daily accrual?");
      expect(gh.state.labelsOf(OWNER, REPO, issue.number)).toContain("backend-go: needs-info");
      expect(pullFor(`backend-go/issue-${issue.number}`)).toHaveLength(0);

      const before = model.requests.length;
      model.add(
        tool("write_file", {
          path: "ledger/interest.go",
          content:
            "package ledger\n\n// MonthlySimpleInterest returns a month of simple interest in cents.\nfunc MonthlySimpleInterest(cents, basisPoints int64) int64 {\n\treturn cents * basisPoints / 10000 / 12\n}\n",
        }),
        say(report(GO_ENGINEER_SECTIONS, "Added simple monthly interest.")),
      );
      const answered = await finishedJob(
        await comment(issue.number, "/agent simple interest, accrued monthly"),
      );
      expect(answered.status).toBe("succeeded");
      const thread = JSON.stringify(requestsSince(before)[0]!.messages[0]);
      expect(thread).toContain("Simple or compound interest?");
      expect(thread).toContain("simple interest, accrued monthly");
      expect(pullFor(`backend-go/issue-${issue.number}`)).toHaveLength(1);
      expect(gh.state.labelsOf(OWNER, REPO, issue.number)).not.toContain("backend-go: needs-info");
    },
    JOB_CASE_MS,
  );

  it(
    "6. running out of turns: a failure comment naming the budget, nothing pushed",
    async () => {
      const issue = gh.createIssue(OWNER, "payments", { title: "Refactor everything" });
      model.add(
        tool("list_files", {}),
        tool("read_file", { path: "go.mod" }),
        tool("write_file", { path: "half-done.go", content: "package ledger\n" }),
      );
      const job = await finishedJob(await label(issue, "alice", undefined, "payments"));
      expect(job.status).toBe("failed");
      const [track] = tracking(issue.number, "payments");
      expect(track!.body).toContain("could not finish");
      expect(track!.body).toMatch(/turn budget|3 turns/i);
      expect(track!.body).toContain("Nothing was pushed");
      expect(await gh.git.revParse(`${OWNER}/payments`, `backend-go/issue-${issue.number}`)).toBeUndefined();
      expect(gh.state.pulls(OWNER, "payments")).toHaveLength(0);
    },
    JOB_CASE_MS,
  );

  it(
    "7. the model answering 529 three times: the job still succeeds",
    async () => {
      const issue = gh.createIssue(OWNER, REPO, { title: "Add a changelog entry" });
      model.add(
        httpError(529, "Overloaded"),
        httpError(529, "Overloaded"),
        httpError(529, "Overloaded"),
        tool("write_file", { path: "CHANGELOG.md", content: "# Changelog\n\n- Balance endpoint.\n" }),
        say(report(GO_ENGINEER_SECTIONS, "Added a changelog.")),
      );
      const job = await finishedJob(await label(issue));
      expect(job.status).toBe("succeeded");
      expect(pullFor(`backend-go/issue-${issue.number}`)).toHaveLength(1);
    },
    JOB_CASE_MS,
  );

  it(
    "8. the app killed mid-job and started again: exactly one PR",
    async () => {
      const issue = gh.createIssue(OWNER, REPO, { title: "Add a Version constant" });
      let reached: () => void = () => {};
      const atModel = new Promise<void>((r) => {
        reached = r;
      });
      // The first model call never answers: the app is killed while it waits.
      model.add(() => {
        reached();
        return new Promise(() => {});
      });
      model.add(
        tool("write_file", {
          path: "ledger/version.go",
          content: 'package ledger\n\n// Version of the ledger service.\nconst Version = "1.1.0"\n',
        }),
        say(report(GO_ENGINEER_SECTIONS, "Added ledger.Version.")),
      );
      const delivery = await label(issue);
      await atModel;
      await app.kill();
      app = await world.startApp({}, { dataDir: app.dataDir });
      const job = await finishedJob(delivery);
      expect(job).toMatchObject({ status: "succeeded", restarts: 1 });
      expect(pullFor(`backend-go/issue-${issue.number}`)).toHaveLength(1);
      const [track] = tracking(issue.number);
      expect(tracking(issue.number)).toHaveLength(1);
      expect(track!.history.some((b) => b.includes("picked up again"))).toBe(true);
    },
    JOB_CASE_MS,
  );

  it("never lets the API key, the webhook secret or the private key out", () => {
    const all = everythingTheAppWrote();
    expect(all).not.toContain(API_KEY);
    expect(all).not.toContain(WEBHOOK_SECRET);
    const keyLine = world.keys.privateKey.split("\n")[5]!;
    expect(all).not.toContain(keyLine);
    for (const t of gh.state.tokens) expect(all).not.toContain(t.token);
  });
});
