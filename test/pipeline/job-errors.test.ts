import { describe, expect, it } from "@jest/globals";
import {
  classifyError,
  errorSummary,
  PermanentError,
  TransientError,
} from "../../src/pipeline/job-errors.js";

describe("classifyError", () => {
  it.each([
    ["a TransientError", "transient", new TransientError("model overloaded")],
    ["a PermanentError", "permanent", new PermanentError("archived")],
    ["GitHub 502", "transient", Object.assign(new Error("bad gateway"), { status: 502 })],
    ["model overloaded 529", "transient", Object.assign(new Error("overloaded"), { status: 529 })],
    ["rate limited 429", "transient", Object.assign(new Error("slow down"), { status: 429 })],
    ["GitHub 404", "permanent", Object.assign(new Error("not found"), { status: 404 })],
    ["GitHub 422", "permanent", Object.assign(new Error("validation failed"), { status: 422 })],
    ["a reset socket", "transient", Object.assign(new Error("socket hang up"), { code: "ECONNRESET" })],
    [
      "fetch failed with a network cause",
      "transient",
      new TypeError("fetch failed", { cause: Object.assign(new Error("x"), { code: "UND_ERR_SOCKET" }) }),
    ],
    [
      "the SDK's connection error",
      "transient",
      Object.assign(new Error("conn"), { name: "APIConnectionError" }),
    ],
    ["a bug", "permanent", new TypeError("cannot read properties of undefined")],
    ["a thrown string", "permanent", "boom"],
    [
      "a PermanentError wrapping a network error",
      "permanent",
      new PermanentError("no", { cause: new TransientError("x") }),
    ],
  ])("%s is %s", (_what, kind, err) => {
    expect(classifyError(err)).toBe(kind);
  });
});

describe("errorSummary", () => {
  it("keeps one line, bounded", () => {
    expect(errorSummary(new Error("a\n  b"))).toBe("Error: a b");
    expect(errorSummary(new Error("x".repeat(2000)))).toHaveLength(500);
  });
});
