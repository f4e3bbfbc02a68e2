// What a job is about, frozen at trigger time. Triggers build it, the queue stores it
// (it must stay JSON-serialisable), runJob and the CLI consume it.

export interface TaskTarget {
  owner: string;
  repo: string;
  /** Issue or pull request number; 0 for a CLI run on a local checkout. */
  number: number;
  kind: "issue" | "pull_request";
}

export interface ThreadComment {
  author: string;
  body: string;
}

export interface ReviewFocus {
  path: string;
  line?: number;
  diffHunk: string;
}

export interface TaskRequest {
  /** Webhook delivery id (dedupe key); a generated id for CLI runs. */
  deliveryId: string;
  installationId?: number;
  target: TaskTarget;
  trigger: {
    kind: "label" | "comment" | "review_comment" | "cli";
    /** Login of the person who triggered the job. */
    actor: string;
    actorId?: number;
    /** The only instruction in the task; everything in `context` is untrusted material. */
    instruction: string;
    commentId?: number;
    /** The command word a comment job was triggered with (`agent` for `/agent`). */
    command?: string;
    /** The label that triggered a label job (it may pick the agent through agents.labels). */
    label?: string;
    /** When the trigger happened (ISO 8601): the thread is read as it stood then. */
    at: string;
  };
  /** Issue or PR thread as delivered, sanitised; untrusted material for the model. */
  context: {
    title: string;
    body: string;
    comments: ThreadComment[];
    review?: ReviewFocus;
  };
  repository: {
    cloneUrl: string;
    defaultBranch: string;
    /** For a PR job: the PR's head branch, where the bot commits. */
    headRef?: string;
    baseRef?: string;
    /** For a PR job: the head repository ("owner/repo"); null when it was deleted. */
    headRepoFullName?: string | null;
    /** The app cannot push to forks: such PR jobs get a reply and no run. */
    isFork?: boolean;
  };
  /** Agent name chosen by the trigger (`/agent @name`, the label map); default otherwise. */
  agent?: string;
}

/** "owner/repo#number": one running job per target at a time. */
export function targetKey(target: TaskTarget): string {
  return `${target.owner}/${target.repo}#${target.number}`;
}
