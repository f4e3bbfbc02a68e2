// Cookies the server alone can read and write: AES-256-GCM over JSON with an expiry inside,
// so a tampered, forged or expired cookie reads as nothing. Stateless, so any process of a
// scaled-out deployment that shares the key reads the same session.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";

export class SealedCookies {
  readonly #key: Buffer;

  /** `secret`: SESSION_SECRET, or a value derived from the App's own secrets. */
  constructor(secret: string, purpose = "backend-go-agent session") {
    this.#key = Buffer.from(hkdfSync("sha256", secret, "backend-go-agent", purpose, 32));
  }

  /** The value sealed for `name` (bound to it: a cookie moved to another name does not open). */
  seal(name: string, value: object, ttlMs: number, now = Date.now()): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.#key, iv);
    cipher.setAAD(Buffer.from(name));
    const body = Buffer.concat([
      cipher.update(JSON.stringify({ v: value, exp: now + ttlMs })),
      cipher.final(),
    ]);
    return [iv, body, cipher.getAuthTag()].map((b) => b.toString("base64url")).join(".");
  }

  /** The sealed value, or undefined when it is missing, altered, sealed for another name or expired. */
  open<T>(name: string, sealed: string | undefined, now = Date.now()): T | undefined {
    if (!sealed || sealed.length > 8192) return undefined;
    const parts = sealed.split(".");
    if (parts.length !== 3) return undefined;
    try {
      const [iv, body, tag] = parts.map((p) => Buffer.from(p, "base64url")) as [Buffer, Buffer, Buffer];
      if (iv.length !== 12 || tag.length !== 16) return undefined;
      const decipher = createDecipheriv("aes-256-gcm", this.#key, iv);
      decipher.setAAD(Buffer.from(name));
      decipher.setAuthTag(tag);
      const text = Buffer.concat([decipher.update(body), decipher.final()]).toString("utf8");
      const { v, exp } = JSON.parse(text) as { v: T; exp: number };
      return typeof exp === "number" && exp > now ? v : undefined;
    } catch {
      return undefined;
    }
  }
}

export function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export interface CookieOptions {
  maxAgeSeconds: number;
  /** Secure: sent over TLS only (the pages are served behind https). */
  secure: boolean;
  /** Lax for the session (a link from a PR must arrive signed in); the path it applies to. */
  path?: string;
}

export function setCookieHeader(name: string, value: string, opts: CookieOptions): string {
  return [
    `${name}=${value}`,
    `Path=${opts.path ?? "/"}`,
    `Max-Age=${opts.maxAgeSeconds}`,
    "HttpOnly",
    "SameSite=Lax",
    ...(opts.secure ? ["Secure"] : []),
  ].join("; ");
}
