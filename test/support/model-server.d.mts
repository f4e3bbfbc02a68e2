// Types for model-server.mjs (plain JavaScript so it can run standalone in another process).
export interface ScriptedUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
}

export type ScriptedBlock =
  | { type: "text"; text: string }
  | { type: "tool_use"; id?: string; name: string; input: unknown }
  | { type: string; [key: string]: unknown };

export interface ScriptedMessage {
  content: ScriptedBlock[];
  /** Drop the connection half-way through the stream. */
  disconnect?: "mid-stream";
  stop_reason?: string;
  usage?: ScriptedUsage;
}

export interface ScriptedError {
  error: { status: number; type?: string; message?: string; headers?: Record<string, string> };
}

// biome-ignore lint/suspicious/noExplicitAny: request bodies are whatever the client sent
export type RecordedRequest = Record<string, any>;

export interface ScriptedDisconnect {
  disconnect: "before";
}

export type ScriptedResponse = ScriptedMessage | ScriptedError | ScriptedDisconnect;

export type ScriptStep =
  | ScriptedMessage
  | ScriptedError
  | ScriptedDisconnect
  | ((request: RecordedRequest, index: number) => ScriptedResponse | Promise<ScriptedResponse>);

/** One received request, as it arrived. */
export interface RecordedCall {
  method?: string;
  url?: string;
  headers: Record<string, string | string[] | undefined>;
}

/** How a provider's HTTP API carries the Messages API (provider-wires.mjs). */
export interface ModelWire {
  name: string;
  route(req: import("node:http").IncomingMessage): { model?: string; stream?: boolean } | undefined;
  authorize?(req: import("node:http").IncomingMessage): string | undefined;
  validate?(body: RecordedRequest): string | undefined;
  frames(message: RecordedRequest): { contentType: string; frames: (string | Buffer)[] };
  handle?(
    req: import("node:http").IncomingMessage,
    res: import("node:http").ServerResponse,
    raw: string,
  ): boolean | Promise<boolean>;
}

export const anthropicWire: ModelWire;

export interface ScriptedModelServer {
  url: string;
  requests: RecordedRequest[];
  calls: RecordedCall[];
  remaining(): number;
  /** Appends steps to the script. */
  add(...steps: ScriptStep[]): void;
  close(): Promise<void>;
}

export function startScriptedModel(options: {
  script: ScriptStep[];
  port?: number;
  host?: string;
  record?: string;
  /** Default: the Anthropic API's own. */
  wire?: ModelWire;
}): Promise<ScriptedModelServer>;

export function toMessage(step: ScriptedMessage, request: RecordedRequest, index: number): RecordedRequest;
export function toEvents(message: RecordedRequest): string[];
export function toEventData(message: RecordedRequest): RecordedRequest[];
