// Once per jest run, before any suite: dist/ current (test/setup/built-dist.js), and the
// run's shared Go cache for the end-to-end apps (test/setup/go-cache.js).
import { fileURLToPath } from "node:url";
import { ensureBuilt } from "./built-dist.js";
import { setup as goCache } from "./go-cache.js";

export default async function setup() {
  ensureBuilt(fileURLToPath(new URL("../..", import.meta.url)));
  await goCache();
}
