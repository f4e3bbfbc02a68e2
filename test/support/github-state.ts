// The GitHub stand-in's state: plain objects tests can read (and seed) directly.
export type Permission = "admin" | "maintain" | "write" | "triage" | "read" | "none";

export interface UserRef {
  login: string;
  id: number;
  type: "User" | "Bot" | "Organization";
}

export interface RepoState {
  id: number;
  owner: string;
  name: string;
  defaultBranch: string;
  private: boolean;
  installationId: number;
  /** Collaborator permission per login; absent logins get `defaultPermission`. */
  permissions: Map<string, Permission>;
  defaultPermission: Permission;
  labels: Map<string, { id: number; name: string; color: string; description: string | null }>;
  nextNumber: number;
}

export interface IssueState {
  id: number;
  number: number;
  owner: string;
  repo: string;
  title: string;
  body: string | null;
  state: "open" | "closed";
  user: UserRef;
  labels: string[];
  createdAt: string;
  updatedAt: string;
  /** Set when this number is a pull request (GitHub's issues and pulls share numbers). */
  pull?: PullState;
}

export interface PullState {
  head: string;
  /** "owner/repo" of a fork the head branch lives in; absent for a branch of this repository. */
  headRepo?: string;
  base: string;
  draft: boolean;
  merged: boolean;
  requestedReviewers: string[];
  nodeId: string;
}

export interface CommentState {
  id: number;
  owner: string;
  repo: string;
  issueNumber: number;
  body: string;
  user: UserRef;
  /** Every body the comment has had, oldest first; the last equals `body`. */
  history: string[];
  createdAt: string;
  updatedAt: string;
}

export interface ReviewCommentState {
  id: number;
  owner: string;
  repo: string;
  pullNumber: number;
  body: string;
  path: string;
  line: number | null;
  diffHunk: string;
  commitId: string;
  user: UserRef;
  /** The review it belongs to (absent for a single comment). */
  reviewId?: number;
  /** The comment it answers in the same thread. */
  inReplyTo?: number;
}

export interface ReviewState {
  id: number;
  owner: string;
  repo: string;
  pullNumber: number;
  body: string | null;
  /** As the REST API spells it: COMMENTED, CHANGES_REQUESTED, APPROVED. */
  state: string;
  commitId: string;
  user: UserRef;
  submittedAt: string;
}

export interface AnnotationState {
  path: string;
  startLine: number;
  endLine: number;
  level: "notice" | "warning" | "failure";
  message: string;
  title?: string;
}

/** A GitHub Actions job (its id is its check run's id) and its log. */
export interface ActionsJobState {
  id: number;
  owner: string;
  repo: string;
  steps: { name: string; number: number; conclusion: string | null }[];
  log: string;
}

export interface CheckRunState {
  id: number;
  owner: string;
  repo: string;
  name: string;
  headSha: string;
  status: string;
  conclusion: string | null;
  output: Record<string, unknown> | null;
  detailsUrl: string | null;
  /** The creator's own id for it (GitHub's `external_id`). */
  externalId?: string;
  /** The request bodies that created and updated it, in order. */
  history: Record<string, unknown>[];
  /** The app that made it; absent means the App the stand-in serves. */
  app?: { id: number; slug: string };
  annotations?: AnnotationState[];
  /** The check suite it belongs to. */
  suiteId?: number;
}

export interface ReactionState {
  id: number;
  owner: string;
  repo: string;
  subject: "issue" | "issue_comment" | "pull_comment";
  subjectId: number;
  content: string;
  user: UserRef;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  query: string;
  body: unknown;
  status: number;
  auth: "jwt" | "token" | "none" | "invalid";
  /** Which of `tokens` a "token" request carried (its index, never the token): tells which scope made it. */
  tokenIndex?: number;
}

export interface InstallationToken {
  token: string;
  installationId: number;
  expiresAt: string;
  /** The repositories it opens (GitHub's `repository_ids`/`repositories`); absent: all of the installation's. */
  repositoryIds?: number[];
  /** What it may do; absent: everything the installation was granted. */
  permissions?: Record<string, string>;
  /** The minting request's body as sent, for tests that check what was asked for. */
  requested?: Record<string, unknown>;
}

export class GitHubState {
  readonly repos = new Map<string, RepoState>();
  readonly issues: IssueState[] = [];
  readonly comments: CommentState[] = [];
  readonly reviewComments: ReviewCommentState[] = [];
  readonly checkRuns: CheckRunState[] = [];
  readonly reviews: ReviewState[] = [];
  /** Review threads resolved (through GraphQL), by their root comment's id. */
  readonly resolvedThreads = new Set<number>();
  readonly actionsJobs: ActionsJobState[] = [];
  /** Set to false to answer Actions routes 403, as for an installation without `actions: read`. */
  actionsReadable = true;
  /** What the App's installations were granted; a token asking for more is refused (422). */
  installationPermissions: Record<string, string> = {
    issues: "write",
    pull_requests: "write",
    contents: "write",
    checks: "write",
    metadata: "read",
    actions: "read",
  };
  readonly reactions: ReactionState[] = [];
  readonly requests: RequestLogEntry[] = [];
  readonly tokens: InstallationToken[] = [];
  readonly users = new Map<string, UserRef>();
  #nextId = 1000;

  nextId(): number {
    return this.#nextId++;
  }

  user(login: string, type: UserRef["type"] = login.endsWith("[bot]") ? "Bot" : "User"): UserRef {
    let user = this.users.get(login);
    if (!user) {
      user = { login, id: this.nextId(), type };
      this.users.set(login, user);
    }
    return user;
  }

  repo(owner: string, name: string): RepoState | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  issue(owner: string, repo: string, number: number): IssueState | undefined {
    return this.issues.find((i) => i.owner === owner && i.repo === repo && i.number === number);
  }

  pulls(owner: string, repo: string): IssueState[] {
    return this.issues.filter((i) => i.owner === owner && i.repo === repo && i.pull);
  }

  commentsOn(owner: string, repo: string, number: number): CommentState[] {
    return this.comments.filter((c) => c.owner === owner && c.repo === repo && c.issueNumber === number);
  }

  labelsOf(owner: string, repo: string, number: number): string[] {
    return this.issue(owner, repo, number)?.labels ?? [];
  }
}
