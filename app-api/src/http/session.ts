// Brings the cookie plugin's request.cookies / reply.setCookie types.
import type {} from "@fastify/cookie";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Queryable } from "../db/database";
import { findSessionUser } from "../domain/sessions";
import type { User } from "../domain/users";
import { unauthenticated } from "./errors";

export const SESSION_COOKIE = "sid";

export interface CookieSettings {
  secure: boolean;
  ttlHours: number;
}

/** The session token from `Authorization: Bearer …`, else from the `sid` cookie. */
export function sessionToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const bearer = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
  return bearer ?? request.cookies[SESSION_COOKIE] ?? undefined;
}

export interface Authenticated {
  user: User;
  token: string;
}

/** Throws 401 unless the request carries a live session. */
export async function requireUser(db: Queryable, request: FastifyRequest): Promise<Authenticated> {
  const token = sessionToken(request);
  const user = token ? await findSessionUser(db, token) : undefined;
  if (!token || !user) throw unauthenticated();
  return { user, token };
}

export function setSessionCookie(reply: FastifyReply, token: string, settings: CookieSettings) {
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "lax",
    path: "/",
    secure: settings.secure,
    maxAge: settings.ttlHours * 3600,
  });
}

export function clearSessionCookie(reply: FastifyReply, settings: CookieSettings) {
  reply.clearCookie(SESSION_COOKIE, {
    httpOnly: true,
    sameSite: "lax",
    path: "/",
    secure: settings.secure,
  });
}
