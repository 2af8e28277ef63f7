import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type * as z from "zod";

/** A JSON document read from S3 with the ETag that later conditional writes must match. */
export interface Versioned<T> {
  value: T;
  etag: string;
}

/** The precondition of a write: create only (`If-None-Match: *`) or replace exactly this ETag. */
export type WriteCondition = { create: true } | { etag: string } | undefined;

export const errorName = (error: unknown): string | undefined =>
  (error as { name?: string; Code?: string }).name;

/** 412: the object exists (create) or changed (If-Match). */
export const isPreconditionFailed = (error: unknown): boolean =>
  errorName(error) === "PreconditionFailed" ||
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 412;

/** 409: another conditional write to the same key was in flight; S3 asks to retry. */
export const isConditionalConflict = (error: unknown): boolean =>
  errorName(error) === "ConditionalRequestConflict" ||
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 409;

export async function readJson<T>(
  s3: S3Client,
  bucket: string,
  key: string,
  schema: z.ZodType<T>,
): Promise<Versioned<T> | undefined> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const text = (await object.Body?.transformToString("utf8")) ?? "";
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(`s3://${bucket}/${key} is not JSON: was it written by shipline?`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new Error(
        `s3://${bucket}/${key} is not a shipline record: ${parsed.error.issues[0]?.message ?? "invalid"}`,
      );
    }
    return { value: parsed.data, etag: object.ETag ?? "" };
  } catch (error) {
    if (errorName(error) === "NoSuchKey") return undefined;
    throw error;
  }
}

/** Writes a JSON document under a precondition; returns the new ETag. */
export async function writeJson(
  s3: S3Client,
  bucket: string,
  key: string,
  value: unknown,
  condition: WriteCondition,
): Promise<string> {
  const written = await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: `${JSON.stringify(value, null, 2)}\n`,
      ContentType: "application/json",
      // Records are read by shipline, never through a cache.
      CacheControl: "no-store",
      ...(condition && "create" in condition ? { IfNoneMatch: "*" } : {}),
      ...(condition && "etag" in condition ? { IfMatch: condition.etag } : {}),
    }),
  );
  return written.ETag ?? "";
}
