// Stand-in endpoints for GitHub's Git database API (blobs, trees, commits, refs). They
// write real objects into the stand-in's bare repository with git's own plumbing
// (hash-object, read-tree/update-index/write-tree, commit-tree, update-ref), so a clone
// over the git server sees exactly what the API made. Commits made here are "signed by
// GitHub": their verification says verified, as GitHub's does for an App's API commits.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { git } from "./git-repos.js";
import {
  HttpError,
  needRepo,
  needString,
  ok,
  type Route,
  type RouteContext,
  route,
} from "./github-routes.js";
import type { GitHubState } from "./github-state.js";

const ZERO = "0000000000000000000000000000000000000000";
const SHA = /^[0-9a-f]{40}$/;
/** The shas of commits made through this API, per stand-in. */
const apiCommits = new WeakMap<GitHubState, Set<string>>();

export function isApiCommit(state: GitHubState, sha: string): boolean {
  return apiCommits.get(state)?.has(sha) ?? false;
}

function gitDir(ctx: RouteContext): string {
  const repo = needRepo(ctx);
  return ctx.env.git.gitDir(`${repo.owner}/${repo.name}`);
}

async function out(dir: string, args: string[], opts: Parameters<typeof git>[1] = {}): Promise<string> {
  return (await git(["--git-dir", dir, ...args], opts)).toString("utf8").trim();
}

async function objectType(dir: string, sha: string): Promise<string | undefined> {
  return out(dir, ["cat-file", "-t", sha]).catch(() => undefined);
}

function invalid(message: string): HttpError {
  return new HttpError(422, message);
}

function verification(state: GitHubState, sha: string) {
  return isApiCommit(state, sha)
    ? { verified: true, reason: "valid", signature: "-----BEGIN PGP SIGNATURE-----\n…", payload: "…" }
    : { verified: false, reason: "unsigned", signature: null, payload: null };
}

async function commitJson(ctx: RouteContext, dir: string, sha: string) {
  if ((await objectType(dir, sha)) !== "commit") throw new HttpError(404, "Not Found");
  const raw = await out(dir, [
    "show",
    "-s",
    "--format=%T%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%B",
    sha,
  ]);
  const [tree, parents, an, ae, ad, cn, ce, cd, ...message] = raw.split("\0");
  return {
    sha,
    tree: { sha: tree },
    parents: (parents ?? "")
      .split(" ")
      .filter(Boolean)
      .map((p) => ({ sha: p })),
    author: { name: an, email: ae, date: ad },
    committer: { name: cn, email: ce, date: cd },
    message: message.join("\0"),
    verification: verification(ctx.env.state, sha),
  };
}

const STATUS: Record<string, string> = { A: "added", D: "removed", M: "modified", R: "renamed" };

/** A commit's files against its first parent, with their patches (hunks only), as GitHub lists them. */
async function commitFiles(dir: string, sha: string) {
  const parent = await resolveRef(dir, `${sha}^1`);
  const base = parent ?? "4b825dc642cb6eb9a060e54bf8d69288fbee4904"; // the empty tree
  const listed = await out(dir, ["diff", "--name-status", "--no-renames", base, sha]);
  const files = [];
  for (const row of listed.split("\n").filter(Boolean)) {
    const [code, filename] = row.split("\t") as [string, string];
    const diff = await out(dir, ["diff", "--no-renames", base, sha, "--", filename]);
    const at = diff.indexOf("\n@@");
    files.push({
      filename,
      status: STATUS[code[0]!] ?? "modified",
      ...(at >= 0 ? { patch: diff.slice(at + 1) } : {}),
    });
  }
  return files;
}

function refJson(ref: string, sha: string) {
  return { ref, node_id: `REF_${ref}`, object: { sha, type: "commit" } };
}

async function resolveRef(dir: string, ref: string): Promise<string | undefined> {
  return out(dir, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]).catch(() => undefined);
}

export const gitRoutes: Route[] = [
  route("POST", "/repos/:owner/:repo/git/blobs", async (ctx) => {
    const dir = gitDir(ctx);
    const content = typeof ctx.body?.content === "string" ? ctx.body.content : undefined;
    if (content === undefined) throw invalid('Invalid request.\n\n"content" wasn\'t supplied.');
    const encoding = ctx.body?.encoding ?? "utf-8";
    if (encoding !== "base64" && encoding !== "utf-8")
      throw invalid(`encoding "${encoding}" is not supported`);
    const bytes = encoding === "base64" ? Buffer.from(content, "base64") : Buffer.from(content, "utf8");
    const sha = await out(dir, ["hash-object", "-w", "--stdin"], { input: bytes });
    return ok(
      { sha, url: `${ctx.env.urls.api}/repos/${ctx.params.owner}/${ctx.params.repo}/git/blobs/${sha}` },
      201,
    );
  }),
  route("POST", "/repos/:owner/:repo/git/trees", async (ctx) => {
    const dir = gitDir(ctx);
    const entries = ctx.body?.tree;
    if (!Array.isArray(entries)) throw invalid("Invalid tree info");
    const base = ctx.body?.base_tree;
    const tmp = await mkdtemp(join(tmpdir(), "standin-index-"));
    const env = { GIT_INDEX_FILE: join(tmp, "index") };
    try {
      if (typeof base === "string") {
        if ((await objectType(dir, base)) !== "tree") throw invalid("base_tree is not a valid tree oid");
        await out(dir, ["read-tree", base], { env });
      } else {
        await out(dir, ["read-tree", "--empty"], { env });
      }
      const lines: string[] = [];
      for (const e of entries) {
        if (typeof e?.path !== "string" || !e.path || e.path.startsWith("/"))
          throw invalid("tree.path is invalid");
        if (e.sha === null) {
          // A deletion; GitHub also drops a directory given as a path.
          const under = await out(dir, ["ls-files", "-z", "--", e.path], { env });
          for (const p of under.split("\0").filter(Boolean)) lines.push(`0 ${ZERO}\t${p}`);
          continue;
        }
        if (typeof e.sha !== "string" || !SHA.test(e.sha)) throw invalid("tree.sha is invalid");
        if (!["100644", "100755", "120000", "160000"].includes(e.mode))
          throw invalid(`tree.mode ${e.mode} is invalid`);
        if (e.mode !== "160000" && (await objectType(dir, e.sha)) !== "blob")
          throw invalid(`tree.sha ${e.sha} is not a valid blob`);
        lines.push(`${e.mode} ${e.sha}\t${e.path}`);
      }
      if (lines.length)
        await out(dir, ["update-index", "-z", "--index-info"], { env, input: `${lines.join("\0")}\0` });
      const sha = await out(dir, ["write-tree", "--missing-ok"], { env });
      return ok({ sha, tree: [], truncated: false }, 201);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }),
  route("POST", "/repos/:owner/:repo/git/commits", async (ctx) => {
    const dir = gitDir(ctx);
    const message = needString(ctx.body, "message");
    const tree = needString(ctx.body, "tree");
    if ((await objectType(dir, tree)) !== "tree") throw invalid("Tree SHA does not exist");
    const parents: unknown[] = Array.isArray(ctx.body?.parents) ? ctx.body.parents : [];
    for (const p of parents)
      if (typeof p !== "string" || (await objectType(dir, p)) !== "commit")
        throw invalid("Parent SHA does not exist or is not a commit object");
    const author = ctx.body?.author ?? {
      name: ctx.env.bot.login,
      email: `${ctx.env.bot.id}+${ctx.env.bot.login}@users.noreply.github.com`,
    };
    const env: Record<string, string> = {
      GIT_AUTHOR_NAME: String(author.name),
      GIT_AUTHOR_EMAIL: String(author.email),
      // GitHub is the committer of an App's API commit, and signs it.
      GIT_COMMITTER_NAME: "GitHub",
      GIT_COMMITTER_EMAIL: "noreply@github.com",
    };
    if (author.date) env.GIT_AUTHOR_DATE = String(author.date);
    const args = ["commit-tree", tree, ...parents.flatMap((p) => ["-p", String(p)]), "-F", "-"];
    const sha = await out(dir, args, { env, input: message });
    const set = apiCommits.get(ctx.env.state) ?? new Set<string>();
    set.add(sha);
    apiCommits.set(ctx.env.state, set);
    return ok(await commitJson(ctx, dir, sha), 201);
  }),
  route("GET", "/repos/:owner/:repo/git/commits/:sha", async (ctx) =>
    ok(await commitJson(ctx, gitDir(ctx), ctx.params.sha!)),
  ),
  route("GET", "/repos/:owner/:repo/commits/:ref", async (ctx) => {
    const dir = gitDir(ctx);
    const sha = await resolveRef(dir, ctx.params.ref!);
    if (!sha) throw new HttpError(422, `No commit found for SHA: ${ctx.params.ref}`);
    const c = await commitJson(ctx, dir, sha);
    return ok({
      sha,
      commit: { ...c, sha: undefined },
      parents: c.parents,
      files: await commitFiles(dir, sha),
    });
  }),
  route("GET", "/repos/:owner/:repo/git/ref/:ref*", async (ctx) => {
    const ref = `refs/${ctx.params.ref}`;
    const sha = await resolveRef(gitDir(ctx), ref);
    if (!sha) throw new HttpError(404, "Not Found");
    return ok(refJson(ref, sha));
  }),
  route("POST", "/repos/:owner/:repo/git/refs", async (ctx) => {
    const dir = gitDir(ctx);
    const ref = needString(ctx.body, "ref");
    const sha = needString(ctx.body, "sha");
    if (!/^refs\/heads\/./.test(ref))
      throw invalid("Reference name must start with 'refs/' and have at least two slashes.");
    if ((await objectType(dir, sha)) !== "commit") throw invalid("Object does not exist");
    try {
      await out(dir, ["update-ref", ref, sha, ZERO]);
    } catch {
      throw invalid("Reference already exists");
    }
    return ok(refJson(ref, sha), 201);
  }),
  route("PATCH", "/repos/:owner/:repo/git/refs/:ref*", async (ctx) => {
    const dir = gitDir(ctx);
    const ref = `refs/${ctx.params.ref}`;
    const sha = needString(ctx.body, "sha");
    const old = await resolveRef(dir, ref);
    if (!old) throw invalid("Reference does not exist");
    if ((await objectType(dir, sha)) !== "commit") throw invalid("Object does not exist");
    if (ctx.body?.force !== true) {
      const ff = await out(dir, ["merge-base", "--is-ancestor", old, sha]).then(
        () => true,
        () => false,
      );
      if (!ff) throw invalid("Update is not a fast forward");
    }
    try {
      await out(dir, ["update-ref", ref, sha, old]);
    } catch {
      throw invalid("Reference cannot be updated");
    }
    return ok(refJson(ref, sha));
  }),
];
