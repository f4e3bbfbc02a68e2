// The operator's ceilings over a repository's budgets and model: the lower value wins, and
// a key the repository's file set above a ceiling is named in a note.
import { describe, expect, it } from "@jest/globals";
import { DEFAULT_BUDGETS } from "../../src/agent/budget.js";
import { resolveModel } from "../../src/agent/model/models.js";
import {
  capBudgets,
  checkModelAllowed,
  ModelNotAllowedError,
  renderLimitNotices,
} from "../../src/agent/operator-limits.js";
import { loadConfig } from "../../src/config/env.js";
import { budgetsFor, parseRepoConfig } from "../../src/repo/repo-config.js";

const repoBudgets = (budgets: object) => {
  const config = parseRepoConfig({ budgets }, "acme/vault:.github/backend-go-agent.yml");
  return { budgets: budgetsFor(config, DEFAULT_BUDGETS), asked: config.budgets };
};

describe("operator limits", () => {
  it("cap what a repository asks for, and say which variable did", () => {
    const { budgets, asked } = repoBudgets({ max_usd: 500, max_minutes: 600, max_turns: 400 });
    const capped = capBudgets(budgets, asked, { maxCostUsd: 5, maxMinutes: 30, maxTurns: 25 });
    expect(capped.budgets).toMatchObject({ maxCostUsd: 5, maxWallClockMs: 30 * 60_000, maxTurns: 25 });
    expect(capped.notices).toEqual([
      "`budgets.max_usd` 500 capped at 5 by the operator (`MAX_JOB_COST_USD`)",
      "`budgets.max_minutes` 600 capped at 30 by the operator (`MAX_JOB_MINUTES`)",
      "`budgets.max_turns` 400 capped at 25 by the operator (`MAX_TURNS`)",
    ]);
    expect(renderLimitNotices(capped.notices)).toMatch(/^\*\*Operator limits:\*\* `budgets\.max_usd` 500/);
  });

  it("leave lower asks alone, and lower the app's defaults without a note", () => {
    const { budgets, asked } = repoBudgets({ max_usd: 2 });
    const capped = capBudgets(budgets, asked, { maxCostUsd: 5, maxTurns: 10 });
    expect(capped.budgets.maxCostUsd).toBe(2);
    // The default 60 turns is the operator's own setting: lowered, not reported.
    expect(capped.budgets.maxTurns).toBe(10);
    expect(capped.notices).toEqual([]);
    expect(renderLimitNotices(capped.notices)).toBeUndefined();
  });

  it("without limits change nothing", () => {
    const { budgets, asked } = repoBudgets({ max_usd: 500 });
    expect(capBudgets(budgets, asked, {})).toEqual({ budgets, notices: [] });
  });

  it("allow only the listed models, by id or by alias", () => {
    const resolve = (m: string) => resolveModel(m, {});
    const limits = { allowedModels: ["sonnet", "claude-haiku-4-5"] };
    expect(() => checkModelAllowed("claude-sonnet-4-5", limits, resolve)).not.toThrow();
    expect(() => checkModelAllowed("claude-haiku-4-5", limits, resolve)).not.toThrow();
    const err = (() => {
      try {
        checkModelAllowed("claude-opus-4-5", limits, resolve);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ModelNotAllowedError);
    expect((err as Error).message).toBe(
      "the model claude-opus-4-5 is not allowed here (ALLOWED_MODELS: sonnet, claude-haiku-4-5)",
    );
    expect(() => checkModelAllowed("claude-opus-4-5", {}, resolve)).not.toThrow();
  });
});

describe("operator limits from the environment", () => {
  it("read every variable, with 20/100 triggers an hour by default", () => {
    expect(loadConfig({}).limits).toEqual({});
    expect(loadConfig({}).triggerRateLimit).toEqual({ perPerson: 20, perRepository: 100 });
    const config = loadConfig({
      MAX_JOB_COST_USD: "2.5",
      MAX_JOB_MINUTES: "30",
      MAX_TURNS: "40",
      ALLOWED_MODELS: " sonnet , claude-haiku-4-5,sonnet",
      TRIGGER_RATE_LIMIT: "0",
      TRIGGER_RATE_LIMIT_REPOSITORY: "7",
    });
    expect(config.limits).toEqual({
      maxCostUsd: 2.5,
      maxMinutes: 30,
      maxTurns: 40,
      allowedModels: ["sonnet", "claude-haiku-4-5"],
    });
    expect(config.triggerRateLimit).toEqual({ perPerson: 0, perRepository: 7 });
  });

  it.each([
    ["MAX_JOB_COST_USD", "0", /MAX_JOB_COST_USD must be a number above 0/],
    ["MAX_JOB_COST_USD", "five", /MAX_JOB_COST_USD must be a number above 0 and at most 100000, got "five"/],
    ["MAX_JOB_MINUTES", "0", /MAX_JOB_MINUTES must be a whole number from 1/],
    ["MAX_JOB_MINUTES", "1.5", /MAX_JOB_MINUTES must be a whole number/],
    ["MAX_TURNS", "-3", /MAX_TURNS must be a whole number from 1/],
    ["ALLOWED_MODELS", "sonnet,,opus", /ALLOWED_MODELS must be model ids or aliases separated by commas/],
    ["ALLOWED_MODELS", "sonnet opus", /ALLOWED_MODELS must be model ids/],
    ["TRIGGER_RATE_LIMIT", "-1", /TRIGGER_RATE_LIMIT must be a whole number from 0/],
    ["TRIGGER_RATE_LIMIT_REPOSITORY", "lots", /TRIGGER_RATE_LIMIT_REPOSITORY must be a whole number/],
  ])("refuse %s=%s at startup, naming the variable", (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });
});
