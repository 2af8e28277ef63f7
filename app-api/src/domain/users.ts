import { randomUUID } from "node:crypto";
import type { Queryable } from "../db/database";

export interface User {
  id: string;
  email: string;
}

export interface UserWithPassword extends User {
  passwordHash: string;
}

/** PostgreSQL's unique_violation. */
const UNIQUE_VIOLATION = "23505";

export class EmailTakenError extends Error {
  override name = "EmailTakenError";
}

export async function createUser(
  db: Queryable,
  email: string,
  passwordHash: string,
): Promise<User> {
  try {
    const rows = await db.query<User>(
      "INSERT INTO users (id, email, password_hash) VALUES ($1, $2, $3) RETURNING id, email",
      [randomUUID(), email, passwordHash],
    );
    return rows[0] as User;
  } catch (error) {
    if ((error as { code?: string }).code === UNIQUE_VIOLATION) {
      throw new EmailTakenError(`${email} is already registered`);
    }
    throw error;
  }
}

export async function findUserByEmail(
  db: Queryable,
  email: string,
): Promise<UserWithPassword | undefined> {
  const rows = await db.query<UserWithPassword>(
    `SELECT id, email, password_hash AS "passwordHash" FROM users WHERE email = $1`,
    [email],
  );
  return rows[0];
}
