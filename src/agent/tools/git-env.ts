// The environment for the read-only git commands tools run: nothing inherited but PATH, so
// no token or key in the parent's environment reaches git.
import { tmpdir } from "node:os";

export function gitEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    HOME: tmpdir(),
    LANG: "C.UTF-8",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_TERMINAL_PROMPT: "0",
  };
}
