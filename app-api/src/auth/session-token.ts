import { createHash, randomBytes } from "node:crypto";

/** 256 random bits, URL-safe, so it fits a cookie and a header unchanged. */
export function newSessionToken(): string {
  return randomBytes(32).toString("base64url");
}

/** What the sessions table keeps instead of the token itself. */
export function hashSessionToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
