// The environment for the read-only git commands tools run: nothing inherited but PATH, so
// no token or key in the parent's environment reaches git, and no configuration but the
// checkout's own (which code under test cannot write) and the hostGitArgs overrides.
export function gitEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    HOME: "/nonexistent",
    LANG: "C.UTF-8",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_TERMINAL_PROMPT: "0",
  };
}
