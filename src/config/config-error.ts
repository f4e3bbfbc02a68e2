// A setting the operator got wrong: the message names the variable and what to set it to.
// Thrown while the process starts, never later, so a bad setting never reaches a job.
export class ConfigError extends Error {
  override name = "ConfigError";
}
