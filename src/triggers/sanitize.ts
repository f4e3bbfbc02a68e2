// Untrusted text from issues and comments is cleaned before it reaches the model: what a
// person reading the issue on GitHub cannot see must not steer the agent.

// Zero-width, invisible formatting and bidirectional control characters, variation
// selectors, the Unicode "tag" block (used to smuggle ASCII) and the soft hyphen: Unicode's
// Default_Ignorable_Code_Point set, plus the interlinear annotation marks.
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\uFFF9-\uFFFB]/gu;
const HTML_COMMENT = /<!--[\s\S]*?(?:-->|$)/g;
// Attributes that render nowhere but can carry instructions.
const HIDDEN_ATTRIBUTES =
  /\s(?:alt|title|aria-label|aria-description|data-[\w-]+|placeholder)\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)/gi;
// Markdown image alt text and link titles: ![hidden](url "hidden"). The bracket and
// parenthesis classes exclude their own opening character, so a body of "![![![…" or
// "[x]([x](…" is scanned once, not once per bracket (quadratic time on a 1 MB body).
const MD_IMAGE = /!\[[^[\]]*\]\(([^()\s]*)(?:\s+"[^"]*")?\)/g;
const MD_LINK_TITLE = /(\[[^[\]]*\]\([^()\s]*)\s+(?:"[^"]*"|'[^']*')\)/g;
// Reference-style link definitions never render: [x]: <url> "text".
const MD_LINK_DEFINITION = /^ {0,3}\[[^\]]+\]:\s*\S+.*$/gm;

/** Strips content GitHub does not show: HTML comments, invisible and bidi characters, hidden markup. */
export function sanitizeUntrusted(text: string | null | undefined): string {
  if (!text) return "";
  return text
    .normalize("NFC")
    .replace(INVISIBLE, "")
    .replace(HTML_COMMENT, "")
    .replace(HIDDEN_ATTRIBUTES, "")
    .replace(MD_IMAGE, "![]($1)")
    .replace(MD_LINK_TITLE, "$1)")
    .replace(MD_LINK_DEFINITION, "")
    .replace(/\r\n?/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/** Caps text to a size, saying how much was cut, so a 1 MB issue body cannot flood the prompt. */
export function capText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  return `${text.slice(0, maxChars)}\n\n[… ${text.length - maxChars} more characters cut by backend-go-agent]`;
}
