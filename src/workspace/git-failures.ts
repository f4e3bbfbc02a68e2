// Turns git's failures into typed errors with a next step (the text is scrubbed before).

import { simpleGitLogsEnabled } from "./git-env.js";
import { GitWorkspaceError } from "./workspace-errors.js";

export function refuseLoggedArguments(): void {
  if (simpleGitLogsEnabled()) {
    throw new GitWorkspaceError(
      "unsafe-environment",
      'DEBUG enables simple-git\'s logging, which prints git arguments including the auth header. Unset DEBUG or add "-simple-git*" to it.',
    );
  }
}

export function classify(command: string, text: string): GitWorkspaceError {
  const detail = text || "git gave no message";
  if (/Authentication failed|could not read Username|HTTP 401|HTTP 403|returned error: 40[13]/i.test(text)) {
    return new GitWorkspaceError(
      "auth-failed",
      `git ${command} was refused by the server (authentication). Check the App's installation and its permissions. ${detail}`,
    );
  }
  if (command === "push" && /\[rejected\]|non-fast-forward|fetch first|stale info/i.test(text)) {
    return new GitWorkspaceError(
      "push-rejected",
      `The push was rejected because the branch moved on the remote meanwhile; re-run the job. ${detail}`,
    );
  }
  return new GitWorkspaceError("git-failed", `git ${command} failed: ${detail}`);
}
