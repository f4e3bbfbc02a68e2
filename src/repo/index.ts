// Per-repository material: the configuration file, repository instructions and the agents a
// job can run. The job pipeline imports from here.
export {
  type AgentProblem,
  type AgentRegistry,
  type AgentRequest,
  AgentSelectionError,
  AgentToolsError,
  allowedTools,
  buildAgentRegistry,
  DEFAULT_AGENT,
  loadAgentRegistry,
  loadAppAgents,
  loadRepositoryAgents,
  type RegisteredAgent,
  renderAgentProblems,
  resolveAgent,
} from "./agent-registry.js";
export { type ConfigProblem, RepoConfigError } from "./config-errors.js";
export {
  ALWAYS_PROTECTED,
  CONFIG_PATH,
  DEFAULT_VERIFY_COMMANDS,
  defaultRepoConfig,
  type RepoConfig,
} from "./config-schema.js";
export {
  foldersOf,
  type InstructionFile,
  type InstructionsOptions,
  instructionsRef,
  loadRepoInstructions,
  type RepoInstructions,
} from "./instructions.js";
export { localConfigReader, localGitRepoFiles } from "./local-repo-files.js";
export {
  budgetsFor,
  type ConfigFileReader,
  loadRepoConfig,
  parseRepoConfig,
  protectedPaths,
  triggerLabels,
} from "./repo-config.js";
export { type RepoFiles, RepoFilesError, type RepoRef } from "./repo-files.js";
