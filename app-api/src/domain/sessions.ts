import { hashSessionToken, newSessionToken } from "../auth/session-token";
import type { Queryable } from "../db/database";
import type { User } from "./users";

export async function createSession(
  db: Queryable,
  userId: string,
  ttlHours: number,
): Promise<string> {
  const token = newSessionToken();
  await db.query(
    `INSERT INTO sessions (token_hash, user_id, expires_at)
     VALUES ($1, $2, clock_timestamp() + make_interval(hours => $3::int))`,
    [hashSessionToken(token), userId, ttlHours],
  );
  return token;
}

/** The user a live session belongs to; an expired or unknown token gives nothing. */
export async function findSessionUser(db: Queryable, token: string): Promise<User | undefined> {
  const rows = await db.query<User>(
    `SELECT u.id, u.email FROM sessions s JOIN users u ON u.id = s.user_id
     WHERE s.token_hash = $1 AND s.expires_at > clock_timestamp()`,
    [hashSessionToken(token)],
  );
  return rows[0];
}

export async function deleteSession(db: Queryable, token: string): Promise<void> {
  await db.query("DELETE FROM sessions WHERE token_hash = $1", [hashSessionToken(token)]);
}
