import type { S3Client } from "@aws-sdk/client-s3";
import type * as z from "zod";
import { readDocument, type WriteCondition, writeDocument } from "./documents";

export {
  errorName,
  isConditionalConflict,
  isPreconditionFailed,
  type WriteCondition,
} from "./documents";

/** A JSON document read from S3 with the ETag that later conditional writes must match. */
export interface Versioned<T> {
  value: T;
  etag: string;
}

export async function readJson<T>(
  s3: S3Client,
  bucket: string,
  key: string,
  schema: z.ZodType<T>,
): Promise<Versioned<T> | undefined> {
  const document = await readDocument(s3, bucket, key);
  if (!document) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(document.text);
  } catch {
    throw new Error(`s3://${bucket}/${key} is not JSON: was it written by shipline?`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new Error(
      `s3://${bucket}/${key} is not a shipline record: ${parsed.error.issues[0]?.message ?? "invalid"}`,
    );
  }
  return { value: parsed.data, etag: document.etag ?? "" };
}

/** Writes a JSON document under a precondition (none: overwrite); returns the new ETag. */
export async function writeJson(
  s3: S3Client,
  bucket: string,
  key: string,
  value: unknown,
  condition: WriteCondition | undefined,
): Promise<string> {
  const body = `${JSON.stringify(value, null, 2)}\n`;
  return (await writeDocument(s3, bucket, key, body, condition ? { condition } : {})) ?? "";
}
