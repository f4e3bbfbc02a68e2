import { describe, expect, it } from "@jest/globals";
import { parseAgentCommand } from "../../src/triggers/command.js";

describe("/agent command", () => {
  it("takes the rest of the line and the lines below as the instruction", () => {
    expect(parseAgentCommand("Thanks!\n/agent wrap the errors with %w\nand add a test")).toEqual({
      instruction: "wrap the errors with %w\nand add a test",
      agent: undefined,
    });
  });

  it("picks an agent with @name", () => {
    expect(parseAgentCommand("/agent @reviewer look at the handler")).toEqual({
      instruction: "look at the handler",
      agent: "reviewer",
    });
  });

  it("accepts a bare /agent", () => {
    expect(parseAgentCommand("/agent")).toEqual({ instruction: "", agent: undefined });
  });

  it("ignores mentions that are not commands", () => {
    expect(parseAgentCommand("please run /agent later")).toBeNull();
    expect(parseAgentCommand("/agents are cool")).toBeNull();
    expect(parseAgentCommand("> /agent do it")).toBeNull();
    expect(parseAgentCommand("```\n/agent inside a fence\n```")).toBeNull();
    expect(parseAgentCommand("")).toBeNull();
  });

  it("finds the command after a closed fence and honours a custom word", () => {
    expect(parseAgentCommand("```go\nx\n```\n/agent go")?.instruction).toBe("go");
    expect(parseAgentCommand("/gopher fix it", "gopher")?.instruction).toBe("fix it");
  });
});
