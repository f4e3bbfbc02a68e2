// The page frame: one stylesheet and (on a job's page) one script, both files served by
// this server; no inline script or style, so the Content-Security-Policy can forbid them.
import { html, type SafeHtml } from "../html.js";

export interface Viewer {
  login: string;
  csrf: string;
}

export function layout(p: { title: string; viewer?: Viewer; body: SafeHtml; script?: boolean }): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${p.title} · backend-go-agent</title>
<link rel="stylesheet" href="/ui/static/style.css">
${p.script ? html`<script src="/ui/static/live.js" defer></script>` : ""}
</head>
<body>
<header class="top">
<a class="brand" href="/ui/jobs">backend-go-agent</a>
${
  p.viewer
    ? html`<form class="signout" method="post" action="/ui/logout">
<span>Signed in as <strong>@${p.viewer.login}</strong></span>
<input type="hidden" name="csrf" value="${p.viewer.csrf}">
<button type="submit">Sign out</button>
</form>`
    : ""
}
</header>
<main id="main">
${p.body}
</main>
</body>
</html>`;
}

export function messagePage(title: string, message: string, viewer?: Viewer, action?: SafeHtml): SafeHtml {
  return layout({ title, viewer, body: html`<h1>${title}</h1><p>${message}</p>${action ?? ""}` });
}

export function signInPage(returnTo: string, note?: string): SafeHtml {
  return layout({
    title: "Sign in",
    body: html`<h1>Sign in</h1>
<p>The job pages show what the agent did on repositories you can read on GitHub.</p>
${note ? html`<p class="note" role="status">${note}</p>` : ""}
<p><a class="button" href="/ui/login?return_to=${encodeURIComponent(returnTo)}">Sign in with GitHub</a></p>`,
  });
}
