// The job list: newest first, filtered by repository, status and trigger, with the queue's
// depth and today's spend on top, and cost and pass/fail per day as a plot.
import { JOB_STATUSES, type JobRecord } from "../../queue/job-record.js";
import { html, type SafeHtml } from "../html.js";
import { duration, usd, when } from "./format.js";
import { layout, type Viewer } from "./layout.js";
import { type DayPoint, daysPlot } from "./plot.js";

export interface ListFilter {
  repo?: string;
  status?: string;
  trigger?: string;
}

export interface JobListData {
  jobs: JobRecord[];
  /** Repositories among the jobs the viewer may see, for the filter. */
  repos: string[];
  triggers: string[];
  filter: ListFilter;
  queueDepth: number;
  todaySpend: number;
  days: DayPoint[];
  viewer: Viewer;
  now: number;
}

function options(all: readonly string[], chosen: string | undefined, anyLabel: string): SafeHtml {
  return html`<option value="">${anyLabel}</option>${all.map(
    (v) => html`<option value="${v}"${chosen === v ? html` selected` : ""}>${v}</option>`,
  )}`;
}

export function jobListPage(d: JobListData): SafeHtml {
  const body = html`<h1>Jobs</h1>
<ul class="summary">
<li><span>Queue depth</span> <strong id="queue-depth">${d.queueDepth}</strong></li>
<li><span>Spent today (UTC) on these repositories</span> <strong id="today-spend">${usd(d.todaySpend)}</strong></li>
</ul>
<form class="filter" method="get" action="/ui/jobs">
<label>Repository <select name="repo">${options(d.repos, d.filter.repo, "all")}</select></label>
<label>Status <select name="status">${options(JOB_STATUSES, d.filter.status, "any")}</select></label>
<label>Trigger <select name="trigger">${options(d.triggers, d.filter.trigger, "any")}</select></label>
<button type="submit">Filter</button>
</form>
${
  d.jobs.length === 0
    ? html`<p>No jobs here that you can see.</p>`
    : html`<div class="scroll"><table class="jobs"><thead><tr>
<th scope="col">Created</th><th scope="col">Target</th><th scope="col">Trigger</th><th scope="col">Status</th><th scope="col">Agent / model</th><th scope="col">Time</th><th scope="col">Cost</th></tr></thead><tbody>
${d.jobs.map(
  (j) => html`<tr>
<td>${when(j.createdAt)}</td>
<td><a href="/ui/jobs/${j.id}">${j.target}</a></td>
<td>${j.trigger.kind} · @${j.trigger.actor}</td>
<td><span class="status ${j.status}">${j.status}</span></td>
<td>${j.agent ?? ""}${j.model ? html`<br><code>${j.model}</code>` : ""}</td>
<td>${j.startedAt ? duration((j.finishedAt ?? d.now) - j.startedAt) : ""}</td>
<td>${usd(j.costUsd)}</td>
</tr>`,
)}
</tbody></table></div>`
}
<section aria-labelledby="days-h"><h2 id="days-h">The last ${d.days.length} days</h2>
<p class="meta">Bars: what the jobs cost each day (UTC). Below: jobs that passed (✓) and failed or ended with a red verdict (✗).</p>
${daysPlot(d.days)}
</section>`;
  return layout({ title: "Jobs", viewer: d.viewer, body });
}

const DAY_MS = 86_400_000;

/** Cost and pass/fail per UTC day over the last `n` days, oldest first. */
export function dailyTotals(jobs: readonly JobRecord[], now: number, n = 14): DayPoint[] {
  const today = Math.floor(now / DAY_MS);
  const days: DayPoint[] = Array.from({ length: n }, (_, i) => ({
    day: new Date((today - n + 1 + i) * DAY_MS).toISOString().slice(0, 10),
    costUsd: 0,
    passed: 0,
    failed: 0,
  }));
  for (const j of jobs) {
    const i = Math.floor(j.createdAt / DAY_MS) - (today - n + 1);
    const d = days[i];
    if (!d) continue;
    d.costUsd += j.costUsd ?? 0;
    if (j.status === "succeeded") {
      if (j.verdict === "fail" || j.verdict === "error") d.failed++;
      else d.passed++;
    } else if (j.status === "failed") d.failed++;
  }
  return days;
}
