// What GitHub's Git database API accepts in one commit, checked before anything is
// uploaded, so a change too large for the API fails with a message that says why and the
// branch is never touched. GitHub rejects blobs over 100 MB; the file and total limits
// are ours, to keep one job's upload bounded (a request per blob, trees in batches).
import { PermanentError } from "../../pipeline/job-errors.js";
import type { CommittedFile } from "../../workspace/committed-change.js";

export interface ApiCommitLimits {
  maxBlobBytes: number;
  maxFiles: number;
  maxTotalBytes: number;
  treeBatch: number;
  blobConcurrency: number;
}

export const API_COMMIT_LIMITS: Readonly<ApiCommitLimits> = {
  /** GitHub's limit for one file (blob). */
  maxBlobBytes: 100 * 1024 * 1024,
  /** Files one API commit may change. */
  maxFiles: 3000,
  /** Bytes of all new blobs together. */
  maxTotalBytes: 512 * 1024 * 1024,
  /** Tree entries per POST /git/trees; larger changes chain trees on base_tree. */
  treeBatch: 500,
  /** Blob uploads in flight at once. */
  blobConcurrency: 4,
};

/** The change cannot be created through the API; nothing was uploaded and the branch is unchanged. */
export class ApiCommitTooLarge extends PermanentError {
  override name = "ApiCommitTooLarge";
}

export function checkApiCommitLimits(
  files: CommittedFile[],
  limits: ApiCommitLimits = API_COMMIT_LIMITS,
): void {
  const mb = (n: number) =>
    n >= 1024 * 1024 ? `${(n / (1024 * 1024)).toFixed(1)} MB` : `${(n / 1024).toFixed(1)} KB`;
  if (files.length > limits.maxFiles) {
    throw new ApiCommitTooLarge(
      `the change has ${files.length} files, more than the ${limits.maxFiles} a signed (API) commit may hold; nothing was pushed`,
    );
  }
  const big = files.filter((f) => f.size > limits.maxBlobBytes);
  if (big.length > 0) {
    throw new ApiCommitTooLarge(
      `${big.map((f) => `${f.path} (${mb(f.size)})`).join(", ")} exceed${big.length === 1 ? "s" : ""} GitHub's ${mb(limits.maxBlobBytes)} limit for one file in a signed (API) commit; nothing was pushed`,
    );
  }
  const total = files.reduce((n, f) => n + f.size, 0);
  if (total > limits.maxTotalBytes) {
    throw new ApiCommitTooLarge(
      `the change adds ${mb(total)} of files, more than the ${mb(limits.maxTotalBytes)} a signed (API) commit may upload; nothing was pushed`,
    );
  }
}
