import { describe, expect, it } from "@jest/globals";
import { classifyError, errorSummary, PermanentError, TransientError } from "../../src/jobs/errors.js";

describe("classifyError", () => {
  it.each([
    ["a TransientError", new TransientError("model overloaded"), "transient"],
    ["a PermanentError", new PermanentError("archived"), "permanent"],
    ["GitHub 502", Object.assign(new Error("bad gateway"), { status: 502 }), "transient"],
    ["model overloaded 529", Object.assign(new Error("overloaded"), { status: 529 }), "transient"],
    ["rate limited 429", Object.assign(new Error("slow down"), { status: 429 }), "transient"],
    ["GitHub 404", Object.assign(new Error("not found"), { status: 404 }), "permanent"],
    ["GitHub 422", Object.assign(new Error("validation failed"), { status: 422 }), "permanent"],
    ["a reset socket", Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }), "transient"],
    [
      "fetch failed with a network cause",
      new TypeError("fetch failed", { cause: Object.assign(new Error("x"), { code: "UND_ERR_SOCKET" }) }),
      "transient",
    ],
    [
      "the SDK's connection error",
      Object.assign(new Error("conn"), { name: "APIConnectionError" }),
      "transient",
    ],
    ["a bug", new TypeError("cannot read properties of undefined"), "permanent"],
    ["a thrown string", "boom", "permanent"],
    [
      "a PermanentError wrapping a network error",
      new PermanentError("no", { cause: new TransientError("x") }),
      "permanent",
    ],
  ])("%s is %s", (_what, err, kind) => {
    expect(classifyError(err)).toBe(kind);
  });
});

describe("errorSummary", () => {
  it("keeps one line, bounded", () => {
    expect(errorSummary(new Error("a\n  b"))).toBe("Error: a b");
    expect(errorSummary(new Error("x".repeat(2000)))).toHaveLength(500);
  });
});
