// Review threads through GitHub's GraphQL API (REST has no threads): which thread each review
// comment belongs to (by the comments' databaseIds), and resolving one. GitHub refuses
// `resolveReviewThread` to an App token without both `contents: write` and
// `pull_requests: write` ("Resource not accessible by integration", type FORBIDDEN).
import type { GitHubClient, IssueRef } from "../auth/client.js";

export interface ReviewThread {
  /** The thread's GraphQL node id (PRRT_…). */
  id: string;
  isResolved: boolean;
}

/** GitHub refused to resolve a thread for lack of permission. */
export class ThreadResolveForbiddenError extends Error {
  override name = "ThreadResolveForbiddenError";
}

const THREADS = `query($owner: String!, $name: String!, $number: Int!, $cursor: String) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      reviewThreads(first: 100, after: $cursor) {
        pageInfo { hasNextPage endCursor }
        nodes { id isResolved comments(first: 100) { nodes { databaseId } } }
      }
    }
  }
}`;

const RESOLVE = `mutation($threadId: ID!) {
  resolveReviewThread(input: { threadId: $threadId }) { thread { id isResolved } }
}`;

interface ThreadsPage {
  repository: {
    pullRequest: {
      reviewThreads: {
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        nodes: { id: string; isResolved: boolean; comments: { nodes: { databaseId: number | null }[] } }[];
      };
    } | null;
  } | null;
}

/** Each review comment's thread, keyed by the comment's REST id. */
export async function reviewThreadsByComment(
  gh: GitHubClient,
  pr: IssueRef,
): Promise<Map<number, ReviewThread>> {
  const byComment = new Map<number, ReviewThread>();
  let cursor: string | null = null;
  // A PR with thousands of threads is not worth more than ten pages.
  for (let page = 0; page < 10; page++) {
    const data: ThreadsPage = await gh.graphql<ThreadsPage>(THREADS, {
      owner: pr.owner,
      name: pr.repo,
      number: pr.number,
      cursor,
    });
    const threads = data.repository?.pullRequest?.reviewThreads;
    if (!threads) break;
    for (const t of threads.nodes) {
      for (const c of t.comments.nodes) {
        if (c.databaseId !== null) byComment.set(c.databaseId, { id: t.id, isResolved: t.isResolved });
      }
    }
    if (!threads.pageInfo.hasNextPage) break;
    cursor = threads.pageInfo.endCursor;
  }
  return byComment;
}

export async function resolveReviewThread(gh: GitHubClient, threadId: string): Promise<void> {
  try {
    await gh.graphql(RESOLVE, { threadId });
  } catch (err) {
    const errors = (err as { errors?: { type?: string; message?: string }[] }).errors;
    const forbidden = errors?.some(
      (e) => e.type === "FORBIDDEN" || /not accessible by integration/i.test(e.message ?? ""),
    );
    if (forbidden || (err as { status?: number }).status === 403) {
      throw new ThreadResolveForbiddenError(errors?.[0]?.message ?? (err as Error).message);
    }
    throw err;
  }
}
