// A base_update job's own part of the pipeline: merge the base into the branch before the run
// step. A clean merge needs no model (its outcome is written here, nothing paid); conflicts go
// to the agent with the conflicted files and both sides as material. Either way the verdict
// runs as usual, and a merge that does not verify is not pushed (the job says why).
import { ZERO_USAGE } from "../agent/model/model-client.js";
import type { CompletedOutcome } from "../agent/outcome.js";
import { truncateMiddle } from "../text.js";
import { JobRefusal } from "./job-errors.js";
import type { BaseMerge, GitPerson, Verdict, Workspace } from "./ports.js";

/** The base update cannot be done with this workspace (a local checkout, API-signed commits). */
export class BaseUpdateUnsupported extends JobRefusal {
  override name = "BaseUpdateUnsupported";
}

/** The merged branch did not pass verification: nothing was pushed. */
export class BaseUpdateUnverified extends JobRefusal {
  override name = "BaseUpdateUnverified";
}

export async function mergeBase(
  workspace: Workspace,
  committer: GitPerson,
  signal?: AbortSignal,
): Promise<BaseMerge> {
  if (!workspace.mergeBase) {
    throw new BaseUpdateUnsupported(
      "this workspace cannot merge the base branch",
      '**The branch was not updated:** merging the base branch needs commits pushed with git; with `commits.signing: github` the app makes commits through GitHub\'s API, which cannot make a merge commit here. Update the branch on GitHub ("Update branch") instead.',
    );
  }
  return workspace.mergeBase(committer, signal);
}

/** The outcome of an update that needed no agent: the merge is the whole change. */
export function mergedOutcome(merge: BaseMerge, model: string): CompletedOutcome {
  const short = merge.base.slice(0, 12);
  const summary =
    merge.kind === "current"
      ? `The branch already contains \`${merge.branch}\` (\`${short}\`): nothing to update.`
      : `Merged \`${merge.branch}\` (\`${short}\`) into this branch without conflicts.`;
  const report = `## Summary\n${summary}`;
  return {
    kind: "completed",
    report,
    sections: [{ name: "Summary", body: summary }],
    usage: ZERO_USAGE,
    costUsd: 0,
    turns: 0,
    model,
    transcript: [],
    changedFiles: [],
  };
}

const neutralise = (text: string) => text.replace(/<(\/?)(merge_conflict|ours|theirs)\b/gi, "<$1 $2");

/** The conflicted files with both sides, for the agent (untrusted: both sides are people's code). */
export function conflictMaterial(merge: Extract<BaseMerge, { kind: "conflict" }>, maxChars = 60_000): string {
  const per = Math.max(2_000, Math.floor(maxChars / Math.max(1, merge.sides.length * 2)));
  const parts = [
    `<merge_conflict base="${merge.branch}" base_sha="${merge.base}">`,
    `Merging \`${merge.branch}\` into this branch conflicts in ${merge.files.length} file${merge.files.length === 1 ? "" : "s"}: ${merge.files.join(", ")}. The files in the checkout hold git's conflict markers (<<<<<<< HEAD, =======, >>>>>>>). This branch's version ("ours") and the base's ("theirs") follow.`,
  ];
  for (const s of merge.sides) {
    parts.push(
      `<ours path="${s.path}">\n${neutralise(truncateMiddle(s.ours ?? "(absent on this branch)", per))}\n</ours>`,
      `<theirs path="${s.path}">\n${neutralise(truncateMiddle(s.theirs ?? "(absent on the base)", per))}\n</theirs>`,
    );
  }
  if (merge.files.length > merge.sides.length)
    parts.push(`[… ${merge.files.length - merge.sides.length} more conflicted files, not shown]`);
  parts.push("</merge_conflict>");
  return parts.join("\n");
}

/** A merge is pushed only when it verified: a failed or broken verdict stops it here. */
export function requireVerified(merge: BaseMerge, verdict: Verdict | undefined, branch: string): void {
  if (!verdict || verdict.overall === "pass" || verdict.overall === "skipped") return;
  const what = merge.kind === "conflict" ? "the agent's resolution of the conflicts" : "the merged branch";
  throw new BaseUpdateUnverified(
    `merging ${merge.branch} into ${branch}: ${what} failed verification (${verdict.summary}); nothing was pushed`,
    `**The branch was not updated.** After merging \`${merge.branch}\` (\`${merge.base.slice(0, 12)}\`), ${what} failed verification: ${verdict.summary}. Nothing was pushed; the branch is as it was. A person needs to look at it, or comment \`/agent update\` to try again.`,
  );
}
