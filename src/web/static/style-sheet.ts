// The pages' stylesheet (served as /ui/static/style.css): system fonts only, readable on a
// phone, contrast above WCAG AA, focus always visible.
export const STYLE_SHEET = `
:root { color-scheme: light; --fg: #1b1f24; --muted: #4b5563; --bg: #ffffff; --line: #d0d7de; --accent: #0b5cad; --pass: #116329; --fail: #a40e26; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); }
a:focus, button:focus, select:focus, summary:focus { outline: 3px solid #f59e0b; outline-offset: 2px; }
.top { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: center; gap: .5rem; padding: .5rem 1rem; border-bottom: 1px solid var(--line); }
.brand { font-weight: 700; text-decoration: none; }
.signout { display: flex; gap: .5rem; align-items: center; margin: 0; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.5rem; overflow-wrap: anywhere; }
button, .button { font: inherit; padding: .4rem .9rem; border: 1px solid var(--line); border-radius: 6px; background: #f6f8fa; color: var(--fg); cursor: pointer; text-decoration: none; display: inline-block; }
.button { background: var(--accent); color: #fff; border-color: var(--accent); }
.danger { background: var(--fail); color: #fff; border-color: var(--fail); }
.summary { display: flex; gap: 2rem; list-style: none; padding: 0; }
.summary span { color: var(--muted); }
.filter { display: flex; flex-wrap: wrap; gap: .75rem; align-items: end; margin: 1rem 0; }
.filter label { display: flex; flex-direction: column; font-size: .9rem; }
select { font: inherit; padding: .3rem; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
.status { font-size: .8rem; padding: .1rem .5rem; border-radius: 1rem; border: 1px solid var(--line); vertical-align: middle; }
.status.succeeded { color: var(--pass); border-color: var(--pass); }
.status.failed, .status.cancelled { color: var(--fail); border-color: var(--fail); }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.journal { list-style: none; padding: 0; }
.ev { border-left: 3px solid var(--line); padding: .3rem .6rem; margin: .4rem 0; }
.ev time { color: var(--muted); font-size: .85rem; font-variant-numeric: tabular-nums; }
.ev.step { border-color: var(--accent); }
.ev.tool.error { border-color: var(--fail); }
.ev.verdict { border-color: var(--pass); }
.meta { color: var(--muted); font-size: .85rem; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f6f8fa; padding: .5rem; border-radius: 6px; max-height: 30rem; overflow: auto; font-size: .85rem; }
h4 { margin: .5rem 0 .2rem; font-size: .9rem; }
tr.fail td, tr.error td { color: var(--fail); }
tr.pass td { color: var(--pass); }
.plot { width: 100%; max-width: 40rem; height: auto; font-size: 12px; fill: var(--fg); }
.plot .bar { fill: var(--accent); }
.plot .pass { fill: var(--pass); }
.plot .fail { fill: var(--fail); }
.plot .small { font-size: 10px; }
.note { background: #fff8c5; padding: .5rem; border-radius: 6px; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
@media (max-width: 40rem) { .facts { grid-template-columns: 1fr; } .facts dt { font-weight: 600; } }
`;
