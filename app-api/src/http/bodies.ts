import { z } from "zod";
import { HttpError } from "./errors";

/** Request bodies and parameters, validated with zod; a failure answers 400 naming the field. */

export const credentialsBody = z.object({
  email: z
    .string({ error: "expected an email address" })
    .trim()
    .toLowerCase()
    .pipe(z.email({ error: "expected an email address" }).max(254)),
  password: z
    .string({ error: "expected a password" })
    .min(8, { error: "expected at least 8 characters" })
    .max(200, { error: "expected at most 200 characters" }),
});

const title = z
  .string({ error: "expected a title" })
  .trim()
  .min(1, { error: "expected a non-empty title" })
  .max(200, { error: "expected at most 200 characters" });

const dueDate = z.iso.date({ error: "expected a date like 2026-01-31, or null" }).nullable();

export const newTaskBody = z.object({
  title,
  dueDate: dueDate.optional().transform((value) => value ?? null),
});

export const taskChangesBody = z.object({
  title: title.optional(),
  status: z.enum(["todo", "done"], { error: 'expected "todo" or "done"' }).optional(),
  dueDate: dueDate.optional(),
});

/** A task id that is not a UUID cannot exist: it answers 404 like any unknown id. */
export const taskIdParams = z.object({ id: z.uuid() });

export const sleepQuery = z.object({
  ms: z.coerce.number().int().min(0).max(60_000),
});

/**
 * Validates a JSON body. A missing body counts as `{}`, so the error names the first missing field;
 * anything that is not a JSON object (a string, an array) is refused as a whole.
 */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  if (body === undefined || body === null) return schema.parse({});
  if (typeof body !== "object" || Array.isArray(body)) {
    throw new HttpError(400, "invalid_input", "expected a JSON object as the request body");
  }
  return schema.parse(body);
}
