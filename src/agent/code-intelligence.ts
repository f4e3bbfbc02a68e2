// The port behind the agent's go_* code tools (tools/go-code.ts): a language server's
// answers about the checkout. The agent core knows only this; the gopls adapter
// (src/golang/gopls-session.ts) owns the process, the sandbox and the protocol.

export interface CodeAnswer {
  /** What the server said, as text (absolute paths still in it; the tool rewrites them). */
  text: string;
  /** The server could not answer: a bad symbol, a file outside the workspace, gopls gone. */
  isError: boolean;
}

export interface CodeIntelligence {
  /**
   * Calls one of the server's tools (gopls's MCP tool names: go_symbol_references, …) with
   * its arguments (absolute paths). Never throws: a failure, including "gopls is not
   * available here", comes back as an error answer the model can read.
   */
  call(tool: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<CodeAnswer>;
  /** Stops the server; a later call starts it again. */
  close(): Promise<void>;
}
