import { randomUUID } from "node:crypto";
import type { Queryable } from "../db/database";

export type TaskStatus = "todo" | "done";

export interface Task {
  id: string;
  title: string;
  status: TaskStatus;
  /** YYYY-MM-DD or null. */
  dueDate: string | null;
  /** ISO 8601, UTC. */
  createdAt: string;
  updatedAt: string;
}

export interface TaskChanges {
  title?: string;
  status?: TaskStatus;
  dueDate?: string | null;
}

// Dates and times are formatted by the database, so PGlite and node-postgres (which parse types
// differently) return the same strings.
const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;
const COLUMNS = `id, title, status, to_char(due_date, 'YYYY-MM-DD') AS "dueDate",
  to_char(created_at AT TIME ZONE 'UTC', ${ISO}) AS "createdAt",
  to_char(updated_at AT TIME ZONE 'UTC', ${ISO}) AS "updatedAt"`;

export function listTasks(db: Queryable, ownerId: string): Promise<Task[]> {
  return db.query<Task>(
    `SELECT ${COLUMNS} FROM tasks WHERE owner_id = $1 ORDER BY created_at, id`,
    [ownerId],
  );
}

export async function createTask(
  db: Queryable,
  ownerId: string,
  title: string,
  dueDate: string | null,
): Promise<Task> {
  const rows = await db.query<Task>(
    `INSERT INTO tasks (id, owner_id, title, due_date) VALUES ($1, $2, $3, $4::date)
     RETURNING ${COLUMNS}`,
    [randomUUID(), ownerId, title, dueDate],
  );
  return rows[0] as Task;
}

export async function findTask(
  db: Queryable,
  ownerId: string,
  id: string,
): Promise<Task | undefined> {
  const rows = await db.query<Task>(
    `SELECT ${COLUMNS} FROM tasks WHERE id = $1 AND owner_id = $2`,
    [id, ownerId],
  );
  return rows[0];
}

/** Only the fields present in `changes` are written; undefined means "leave as is". */
export async function updateTask(
  db: Queryable,
  ownerId: string,
  id: string,
  changes: TaskChanges,
): Promise<Task | undefined> {
  const rows = await db.query<Task>(
    `UPDATE tasks SET
       title = CASE WHEN $3::boolean THEN $4 ELSE title END,
       status = CASE WHEN $5::boolean THEN $6 ELSE status END,
       due_date = CASE WHEN $7::boolean THEN $8::date ELSE due_date END,
       updated_at = clock_timestamp()
     WHERE id = $1 AND owner_id = $2
     RETURNING ${COLUMNS}`,
    [
      id,
      ownerId,
      changes.title !== undefined,
      changes.title ?? null,
      changes.status !== undefined,
      changes.status ?? null,
      changes.dueDate !== undefined,
      changes.dueDate ?? null,
    ],
  );
  return rows[0];
}

export async function deleteTask(db: Queryable, ownerId: string, id: string): Promise<boolean> {
  const rows = await db.query<{ id: string }>(
    "DELETE FROM tasks WHERE id = $1 AND owner_id = $2 RETURNING id",
    [id, ownerId],
  );
  return rows.length > 0;
}
