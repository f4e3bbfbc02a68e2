// How Amazon Bedrock and Google Vertex AI carry the Messages API, for the scripted model
// server (model-server.mjs: one script engine, three wires). Each checks what the real
// service would refuse without, so a client that signs or authenticates wrongly fails here:
//   Bedrock  POST /model/{id}/invoke | /model/{id}/invoke-with-response-stream, SigV4-signed
//            (Authorization: AWS4-HMAC-SHA256 …, X-Amz-Date), the model in the path, and the
//            stream in AWS's binary event-stream framing: one `chunk` event per API event,
//            its JSON payload {"bytes": base64(event)}.
//   Vertex   POST …/projects/{p}/locations/{r}/publishers/anthropic/models/{id}:rawPredict |
//            :streamRawPredict with a bearer token this server minted at POST /token (the
//            token_url of a test credentials file), the stream as the API's own SSE.
import { crc32 } from "node:zlib";
import { toEventData, toEvents } from "./model-server.mjs";

/** One AWS event-stream message: prelude, CRC, string headers, payload, CRC. */
export function eventStreamFrame(headers, payload) {
  const parts = [];
  for (const [name, value] of Object.entries(headers)) {
    const n = Buffer.from(name, "utf8");
    const v = Buffer.from(value, "utf8");
    const head = Buffer.alloc(1 + n.length + 3);
    head.writeUInt8(n.length, 0);
    n.copy(head, 1);
    head.writeUInt8(7, 1 + n.length); // 7: string
    head.writeUInt16BE(v.length, 2 + n.length);
    parts.push(head, v);
  }
  const headerBytes = Buffer.concat(parts);
  const body = Buffer.from(payload, "utf8");
  const total = 12 + headerBytes.length + body.length + 4;
  const prelude = Buffer.alloc(12);
  prelude.writeUInt32BE(total, 0);
  prelude.writeUInt32BE(headerBytes.length, 4);
  prelude.writeUInt32BE(crc32(prelude.subarray(0, 8)), 8);
  const message = Buffer.concat([prelude, headerBytes, body]);
  const trailer = Buffer.alloc(4);
  trailer.writeUInt32BE(crc32(message), 0);
  return Buffer.concat([message, trailer]);
}

/** Both clouds take the API version in the body and the model in the path. */
function validateCloudBody(body) {
  if (typeof body.anthropic_version !== "string") return "anthropic_version is required in the body";
  if ("model" in body) return "the model goes in the path, not the body";
  return undefined;
}

const SIGV4 =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([a-z0-9-]+)\/bedrock\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=[0-9a-f]{64}$/;

/**
 * Bedrock runtime. `seen` collects each signature's access key id and region, so a test
 * can tell which credentials signed.
 */
export function bedrockWire() {
  const signers = [];
  return {
    name: "bedrock",
    signers,
    route(req) {
      const m = /\/model\/([^/]+)\/(invoke|invoke-with-response-stream)$/.exec(req.url?.split("?")[0] ?? "");
      return m
        ? { model: decodeURIComponent(m[1]), stream: m[2] === "invoke-with-response-stream" }
        : undefined;
    },
    authorize(req) {
      const auth = SIGV4.exec(req.headers.authorization ?? "");
      if (!auth) return "missing or malformed SigV4 Authorization header";
      if (!/^\d{8}T\d{6}Z$/.test(req.headers["x-amz-date"] ?? "")) return "missing X-Amz-Date header";
      if (!auth[4].split(";").includes("x-amz-date")) return "X-Amz-Date is not signed";
      signers.push({
        accessKeyId: auth[1],
        region: auth[3],
        sessionToken: req.headers["x-amz-security-token"],
      });
      return undefined;
    },
    validate: validateCloudBody,
    frames(message) {
      const events = toEventData(message);
      // Bedrock appends its own metrics to the last event.
      const last = events.at(-1);
      last["amazon-bedrock-invocationMetrics"] = {
        inputTokenCount: message.usage.input_tokens,
        outputTokenCount: message.usage.output_tokens,
        invocationLatency: 1,
        firstByteLatency: 1,
      };
      return {
        contentType: "application/vnd.amazon.eventstream",
        frames: events.map((event) =>
          eventStreamFrame(
            { ":event-type": "chunk", ":content-type": "application/json", ":message-type": "event" },
            JSON.stringify({ bytes: Buffer.from(JSON.stringify(event)).toString("base64"), p: "abcd" }),
          ),
        ),
      };
    },
  };
}

/** Vertex AI, with its own OAuth token endpoint at POST /token. */
export function vertexWire() {
  const minted = new Set();
  const routes = [];
  return {
    name: "vertex",
    minted,
    routes,
    async handle(req, res, raw) {
      if (req.method !== "POST" || req.url !== "/token") return false;
      const form = new URLSearchParams(raw);
      if (form.get("grant_type") !== "refresh_token" || !form.get("refresh_token")) {
        res.writeHead(400, { "content-type": "application/json" });
        res.end(
          JSON.stringify({ error: "invalid_grant", error_description: "a refresh_token grant is expected" }),
        );
        return true;
      }
      const token = `ya29.stand-in-${minted.size + 1}-${Math.random().toString(36).slice(2, 10)}`;
      minted.add(token);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ access_token: token, expires_in: 3600, token_type: "Bearer" }));
      return true;
    },
    route(req) {
      const m =
        /\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/anthropic\/models\/([^/:]+):(rawPredict|streamRawPredict)$/.exec(
          req.url?.split("?")[0] ?? "",
        );
      if (!m) return undefined;
      routes.push({ project: m[1], region: m[2], model: decodeURIComponent(m[3]) });
      return { model: decodeURIComponent(m[3]), stream: m[4] === "streamRawPredict" };
    },
    authorize(req) {
      const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "")?.[1];
      if (!token) return "missing bearer token";
      if (!minted.has(token)) return "the bearer token was not minted by this server";
      return undefined;
    },
    validate: validateCloudBody,
    frames: (message) => ({ contentType: "text/event-stream", frames: toEvents(message) }),
  };
}

export function providerWire(name) {
  if (name === "bedrock") return bedrockWire();
  if (name === "vertex") return vertexWire();
  throw new Error(`no wire named "${name}": bedrock or vertex`);
}

/**
 * A credentials file google-auth-library accepts (external_account_authorized_user) whose
 * token_url is the stand-in's /token: the real library mints a real token, offline.
 */
export function vertexCredentials(serverUrl, refreshToken = "1//stand-in-refresh-token-7d2f") {
  return {
    type: "external_account_authorized_user",
    audience: "//iam.googleapis.com/locations/global/workforcePools/stand-in/providers/stand-in",
    client_id: "stand-in-client",
    client_secret: "stand-in-client-secret-91c4",
    refresh_token: refreshToken,
    token_url: `${serverUrl}/token`,
    token_info_url: `${serverUrl}/tokeninfo`,
  };
}
