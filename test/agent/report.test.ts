import { describe, expect, it } from "@jest/globals";
import { loadAgentDefinition } from "../../src/agent/definition.js";
import { checkReport } from "../../src/agent/report.js";

const FULL = `Some preface the model wrote.

## Summary
Added a balance endpoint.

## Implementation
A handler and a service.

## Files Changed
- api/balance.go

## Testing
go test ./... passes.

## Next Steps
Add pagination.
`;

describe("report check", () => {
  it("accepts a report with every required section and splits it by heading", async () => {
    const { output_schema } = await loadAgentDefinition("agents/backend-engineer-golang.md");
    const result = checkReport(FULL, output_schema);
    expect(result.missing).toEqual([]);
    expect(result.sections.map((s) => s.name)).toEqual([
      "Summary",
      "Implementation",
      "Files Changed",
      "Testing",
      "Next Steps",
    ]);
    expect(result.sections[2]).toEqual({ name: "Files Changed", body: "- api/balance.go" });
  });

  it("reports Testing missing from a report without ## Testing", async () => {
    const { output_schema } = await loadAgentDefinition("agents/backend-engineer-golang.md");
    const report = FULL.replace("## Testing\ngo test ./... passes.\n\n", "");
    expect(checkReport(report, output_schema).missing).toEqual(["Testing"]);
  });

  it("only counts headings at the start of a line", async () => {
    const { output_schema } = await loadAgentDefinition("agents/backend-engineer-golang.md");
    const report = FULL.replace("## Testing", "see ## Testing");
    expect(checkReport(report, output_schema).missing).toEqual(["Testing"]);
  });
});
