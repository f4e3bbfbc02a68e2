#!/usr/bin/env node
// A scripted stand-in for the Anthropic Messages API: a real HTTP server on 127.0.0.1 that
// answers POST /v1/messages from a script, as JSON or as SSE (when the request asks to
// stream) in the same event order as the real API. Plain ESM JavaScript so that later e2e
// tests and benchmarks can start it in another process:
//   node test/support/model-server.mjs --script steps.json [--port 0] [--record requests.jsonl]
//                                      [--wire bedrock|vertex]   (provider-wires.mjs)
// prints one JSON line {"url": "..."} on stdout once it listens.
//
// A script is a list of steps, each one of
//   { content: [...blocks], stop_reason?, usage? }   a canned assistant message
//   { error: { status, type?, message?, headers? } } an HTTP error with Anthropic's error JSON
//   { disconnect: "before" }                          the connection drops before any answer
//   { content, disconnect: "mid-stream" }             the stream drops half-way through
//   (request, index) => step | Promise<step>          computed from the received request body
import { appendFileSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";

const ERROR_TYPES = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error",
};

const estimateTokens = (value) => Math.max(1, Math.ceil(JSON.stringify(value ?? "").length / 4));

/** Fills ids, stop_reason and usage the script left out, giving the message the API's shape. */
export function toMessage(step, request, index) {
  const content = (step.content ?? []).map((block, i) =>
    block.type === "tool_use" && !block.id ? { ...block, id: `toolu_${index}_${i}` } : block,
  );
  const hasTool = content.some((b) => b.type === "tool_use");
  return {
    id: `msg_scripted_${index}`,
    type: "message",
    role: "assistant",
    model: request.model ?? "scripted",
    content,
    stop_reason: step.stop_reason ?? (hasTool ? "tool_use" : "end_turn"),
    stop_sequence: null,
    usage: {
      input_tokens: estimateTokens(request.messages),
      output_tokens: estimateTokens(content),
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      ...step.usage,
    },
  };
}

function sse(event, data) {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** The message as the stream of events the real API sends, text and JSON split into pieces. */
export function toEvents(message) {
  return toEventData(message).map(({ type, ...rest }) => sse(type, { type, ...rest }));
}

/** The same events as objects, for wires that frame them otherwise (Bedrock's event stream). */
export function toEventData(message) {
  const sse = (_event, data) => data;
  const { content, stop_reason, usage } = message;
  const out = [
    sse("message_start", {
      type: "message_start",
      message: { ...message, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } },
    }),
    sse("ping", { type: "ping" }),
  ];
  content.forEach((block, index) => {
    if (block.type === "text") {
      out.push(
        sse("content_block_start", {
          type: "content_block_start",
          index,
          content_block: { type: "text", text: "" },
        }),
      );
      for (const piece of halves(block.text)) {
        out.push(
          sse("content_block_delta", {
            type: "content_block_delta",
            index,
            delta: { type: "text_delta", text: piece },
          }),
        );
      }
    } else if (block.type === "tool_use") {
      const { input, ...head } = block;
      out.push(
        sse("content_block_start", {
          type: "content_block_start",
          index,
          content_block: { ...head, input: {} },
        }),
      );
      for (const piece of halves(JSON.stringify(input ?? {}))) {
        out.push(
          sse("content_block_delta", {
            type: "content_block_delta",
            index,
            delta: { type: "input_json_delta", partial_json: piece },
          }),
        );
      }
    } else {
      out.push(sse("content_block_start", { type: "content_block_start", index, content_block: block }));
    }
    out.push(sse("content_block_stop", { type: "content_block_stop", index }));
  });
  out.push(
    sse("message_delta", {
      type: "message_delta",
      delta: { stop_reason, stop_sequence: null },
      usage: { output_tokens: usage.output_tokens },
    }),
    sse("message_stop", { type: "message_stop" }),
  );
  return out;
}

function halves(text) {
  if (text.length < 2) return [text];
  const mid = Math.floor(text.length / 2);
  return [text.slice(0, mid), text.slice(mid)];
}

function sendError(res, { status, type, message, headers }) {
  const retryable = status === 429 || status >= 500;
  res.writeHead(status, {
    "content-type": "application/json",
    "request-id": `req_scripted_${Date.now()}`,
    // Real overload answers carry retry-after in seconds; a millisecond hint keeps tests quick.
    ...(retryable ? { "retry-after-ms": "5" } : {}),
    ...headers,
  });
  res.end(
    JSON.stringify({
      type: "error",
      error: { type: type ?? ERROR_TYPES[status] ?? "api_error", message: message ?? `scripted ${status}` },
    }),
  );
}

/**
 * How a provider's HTTP API wraps the Messages API: the Anthropic API's own by default;
 * Bedrock's and Vertex AI's are in provider-wires.mjs. `route` maps a request to its model
 * and whether it streams (undefined: no such route); `authorize` and `validate` return why a
 * request is refused; `frames` encodes a streamed message; `handle` serves extra routes.
 */
export const anthropicWire = {
  name: "anthropic",
  route: (req) => (req.url?.startsWith("/v1/messages") ? {} : undefined),
  frames: (message) => ({ contentType: "text/event-stream", frames: toEvents(message) }),
};

/**
 * Starts the server. `script` is consumed in order, one step per request (`add` appends
 * more, for a server that outlives one scenario); `requests` holds every received body, and
 * `calls` every request's method, URL and headers. When the script runs out the server answers 500 with
 * x-should-retry: false, so a run that asks for more than its script fails loudly.
 */
export async function startScriptedModel({
  script,
  port = 0,
  host = "127.0.0.1",
  record,
  wire = anthropicWire,
} = {}) {
  const steps = [...(script ?? [])];
  const requests = [];
  const calls = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      try {
        const raw = Buffer.concat(chunks).toString("utf8");
        calls.push({ method: req.method, url: req.url, headers: req.headers });
        if (wire.handle && (await wire.handle(req, res, raw))) return;
        const route = req.method === "POST" ? wire.route(req) : undefined;
        if (!route) {
          sendError(res, { status: 404, message: `no route ${req.method} ${req.url}` });
          return;
        }
        const refused = wire.authorize?.(req);
        if (refused) {
          sendError(res, { status: 403, message: refused, headers: { "x-should-retry": "false" } });
          return;
        }
        const body = JSON.parse(raw);
        const invalid = wire.validate?.(body);
        if (invalid) {
          sendError(res, { status: 400, message: invalid, headers: { "x-should-retry": "false" } });
          return;
        }
        const index = requests.length;
        requests.push(body);
        if (record) appendFileSync(record, `${raw}\n`);
        let step = steps.shift();
        if (typeof step === "function") step = await step(body, index);
        if (!step) {
          sendError(res, {
            status: 500,
            message: `scripted model: no step left for request ${index + 1}`,
            headers: { "x-should-retry": "false" },
          });
          return;
        }
        if (step.error) {
          sendError(res, step.error);
          return;
        }
        if (step.disconnect === "before") {
          req.socket.destroy();
          return;
        }
        const message = toMessage(step, route.model ? { ...body, model: route.model } : body, index);
        if (route.stream ?? body.stream) {
          const { contentType, frames: events } = wire.frames(message);
          res.writeHead(200, { "content-type": contentType, "cache-control": "no-cache" });
          if (step.disconnect === "mid-stream") {
            // Half a message, then the connection drops, as a reset would.
            const half = events.slice(0, Math.ceil(events.length / 2)).map((e) => Buffer.from(e));
            res.write(Buffer.concat(half), () => res.socket?.destroy());
            return;
          }
          for (const event of events) res.write(event);
          res.end();
        } else {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify(message));
        }
      } catch (err) {
        sendError(res, {
          status: 500,
          message: `scripted model failed: ${err?.message ?? err}`,
          headers: { "x-should-retry": "false" },
        });
      }
    });
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  return {
    url: `http://${host}:${address.port}`,
    requests,
    calls,
    remaining: () => steps.length,
    add: (...more) => {
      steps.push(...more);
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function argValue(argv, name) {
  const i = argv.indexOf(name);
  return i === -1 ? undefined : argv[i + 1];
}

async function main(argv) {
  const scriptFile = argValue(argv, "--script");
  if (!scriptFile) {
    process.stderr.write(
      "usage: model-server.mjs --script <steps.json> [--port <n>] [--record <file>] [--wire bedrock|vertex]\n",
    );
    process.exit(64);
  }
  const script = JSON.parse(readFileSync(scriptFile, "utf8"));
  // --wire bedrock|vertex: the same script behind that cloud's HTTP API (provider-wires.mjs).
  const wireName = argValue(argv, "--wire");
  const server = await startScriptedModel({
    ...(wireName && wireName !== "anthropic"
      ? { wire: (await import("./provider-wires.mjs")).providerWire(wireName) }
      : {}),
    script,
    port: Number(argValue(argv, "--port") ?? 0),
    record: argValue(argv, "--record"),
  });
  process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
  const stop = () => server.close().then(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main(process.argv.slice(2));
}
