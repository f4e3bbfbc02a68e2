// A job's page: who started it and how, the agent and model, each step with its time, the
// whole journal (model words, tool calls with input and clipped output, the verdict), the
// commit and PR, tokens and cost; a stop button for people who may write; live while it runs.
import type { JournalEvent } from "../../queue/job-journal.js";
import { isFinished, type JobRecord } from "../../queue/job-record.js";
import { html, type SafeHtml } from "../html.js";
import { duration, usd, when } from "./format.js";
import { renderEvent, stepTimes } from "./journal-view.js";
import { layout, type Viewer } from "./layout.js";
import { stepPlot } from "./plot.js";

export interface JobPageData {
  job: JobRecord;
  events: JournalEvent[];
  viewer: Viewer;
  canStop: boolean;
  /** https://github.com or the GHE host: links to the issue, commit and PR. */
  webUrl: string;
  now: number;
}

export function targetUrl(webUrl: string, job: JobRecord): string {
  const m = /^([^/]+)\/([^#]+)#(\d+)$/.exec(job.target);
  if (!m) return webUrl;
  return `${webUrl}/${m[1]}/${m[2]}/${job.targetKind === "pull_request" ? "pull" : "issues"}/${m[3]}`;
}

function commitUrl(webUrl: string, job: JobRecord): string | undefined {
  const repo = job.target.split("#")[0];
  return job.pushedSha && repo ? `${webUrl}/${repo}/commit/${job.pushedSha}` : undefined;
}

export function jobPage(d: JobPageData): SafeHtml {
  const { job } = d;
  const live = !isFinished(job.status);
  const end = job.finishedAt ?? d.now;
  const steps = stepTimes(d.events, end);
  const tokens = job.inputTokens !== undefined ? `${job.inputTokens} in · ${job.outputTokens ?? 0} out` : "";
  const commit = commitUrl(d.webUrl, job);
  const last = d.events.at(-1)?.seq ?? 0;
  const body = html`<p><a href="/ui/jobs">All jobs</a></p>
<h1>${job.target} <span class="status ${job.status}" id="status" role="status" aria-live="polite">${job.status}</span></h1>
<dl class="facts">
<dt>Trigger</dt><dd>${job.trigger.kind} by <strong>@${job.trigger.actor}</strong> · <a href="${targetUrl(d.webUrl, job)}">${job.targetKind === "pull_request" ? "pull request" : "issue"} on GitHub</a></dd>
<dt>Agent</dt><dd>${job.agent ?? "default"}${job.model ? html` on <code>${job.model}</code>` : ""}</dd>
<dt>Created</dt><dd>${when(job.createdAt)}</dd>
${job.startedAt ? html`<dt>Ran</dt><dd>${duration(end - job.startedAt)}${job.attempts > 1 ? ` · ${job.attempts} attempts` : ""}</dd>` : ""}
${tokens ? html`<dt>Tokens</dt><dd>${tokens}</dd>` : ""}
${job.costUsd !== undefined ? html`<dt>Cost</dt><dd>${usd(job.costUsd)}</dd>` : ""}
${job.verdict ? html`<dt>Verdict</dt><dd>${job.verdict}</dd>` : ""}
${commit ? html`<dt>Commit</dt><dd><a href="${commit}"><code>${job.pushedSha?.slice(0, 12)}</code></a>${job.branch ? html` on <code>${job.branch.split(":").slice(1).join(":")}</code>` : ""}</dd>` : ""}
${job.prUrl ? html`<dt>Pull request</dt><dd><a href="${job.prUrl}">${job.prUrl}</a></dd>` : ""}
${job.error ? html`<dt>Ended</dt><dd>${job.error}</dd>` : ""}
</dl>
${
  d.canStop && live
    ? html`<form method="post" action="/ui/jobs/${job.id}/stop" class="stop">
<input type="hidden" name="csrf" value="${d.viewer.csrf}">
<button type="submit" class="danger">Stop this job</button>
</form>`
    : ""
}
<section aria-labelledby="steps-h"><h2 id="steps-h">Steps</h2>
${stepPlot(steps)}
<table class="steps"><thead><tr><th scope="col">Step</th><th scope="col">Started</th><th scope="col">Time</th></tr></thead>
<tbody>${steps.map((s) => html`<tr><td>${s.step}</td><td>${when(s.startedAt)}</td><td>${duration(s.ms)}</td></tr>`)}</tbody></table>
</section>
<section aria-labelledby="journal-h"><h2 id="journal-h">What happened</h2>
${live ? html`<p class="live" id="live-note">Live: new steps appear below as the job runs.</p>` : ""}
<ol class="journal" id="journal" role="log" aria-labelledby="journal-h" data-job="${job.id}" data-after="${last}" data-live="${live ? "1" : "0"}">
${d.events.map(renderEvent)}
</ol>
</section>`;
  return layout({ title: job.target, viewer: d.viewer, body, script: live });
}
