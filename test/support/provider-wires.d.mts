// Types for provider-wires.mjs.
import type { ModelWire } from "./model-server.mjs";

export interface BedrockWire extends ModelWire {
  /** Who signed each request: the access key id, the region and the session token header. */
  signers: { accessKeyId: string; region: string; sessionToken?: string }[];
}

export interface VertexWire extends ModelWire {
  /** Every token /token handed out. */
  minted: Set<string>;
  /** The project, region and model of each Messages call. */
  routes: { project: string; region: string; model: string }[];
}

export function eventStreamFrame(headers: Record<string, string>, payload: string): Buffer;
export function bedrockWire(): BedrockWire;
export function vertexWire(): VertexWire;
export function providerWire(name: string): ModelWire;
export function vertexCredentials(serverUrl: string, refreshToken?: string): Record<string, string>;
