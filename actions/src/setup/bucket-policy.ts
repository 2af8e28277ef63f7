import { GetBucketPolicyCommand, PutBucketPolicyCommand, type S3Client } from "@aws-sdk/client-s3";
import { ConfigurationError, quote } from "../lib/errors";
import type { Change } from "./repositories";

export const LEDGER_STATEMENT_ID = "KeepShiplineLedgerPrivate";

/** The partition of a region's ARNs. */
export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

/**
 * The statement that keeps the ledger (its records name every file and who deployed it) from
 * being served: CloudFront, reading the bucket through an Origin Access Control, is denied it.
 */
export function ledgerStatement(bucket: string, ledgerPrefix: string, partition: string) {
  return {
    Sid: LEDGER_STATEMENT_ID,
    Effect: "Deny",
    Principal: { Service: "cloudfront.amazonaws.com" },
    Action: "s3:GetObject",
    Resource: `arn:${partition}:s3:::${bucket}/${ledgerPrefix}*`,
  };
}

type Statement = Record<string, unknown>;
interface Policy {
  Version?: string;
  Statement?: Statement | Statement[];
  [key: string]: unknown;
}

/**
 * The bucket's policy with the ledger statement in it, merged: every other statement is kept
 * as it is, a statement with the same Sid is replaced. Undefined when nothing would change.
 */
export function mergedPolicy(
  current: Policy | undefined,
  statement: Statement,
): Policy | undefined {
  const statements = current?.Statement
    ? Array.isArray(current.Statement)
      ? current.Statement
      : [current.Statement]
    : [];
  const same = statements.find((candidate) => candidate.Sid === statement.Sid);
  if (same && canonical(same) === canonical(statement)) return undefined;
  return {
    ...(current ?? {}),
    Version: current?.Version ?? "2012-10-17",
    Statement: same
      ? statements.map((candidate) => (candidate === same ? statement : candidate))
      : [...statements, statement],
  };
}

/** A statement compared as IAM reads it: one value and a list of one are the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) {
    const items = value.map(canonical).sort();
    return items.length === 1 ? (items[0] as string) : `[${items.join(",")}]`;
  }
  if (value && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${key}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

export async function bucketPolicyChanges(
  s3: S3Client,
  bucket: string,
  ledgerPrefix: string,
  region: string,
): Promise<Change[]> {
  const current = await readPolicy(s3, bucket);
  const merged = mergedPolicy(current, ledgerStatement(bucket, ledgerPrefix, partitionOf(region)));
  if (!merged) return [];
  return [
    {
      what: `S3 ${bucket}: bucket policy statement ${LEDGER_STATEMENT_ID} (${ledgerPrefix}* not served by CloudFront)${current ? ", merged with the existing policy" : ""}`,
      apply: () =>
        s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(merged) })),
    },
  ];
}

async function readPolicy(s3: S3Client, bucket: string): Promise<Policy | undefined> {
  try {
    const { Policy: text } = await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }));
    return text ? (JSON.parse(text) as Policy) : undefined;
  } catch (error) {
    const name = (error as Error).name;
    if (name === "NoSuchBucketPolicy") return undefined;
    if (name === "NoSuchBucket") {
      throw new ConfigurationError(
        `bucket ${quote(bucket)} does not exist (input "bucket"): create it with the rest of the stack (private, with CloudFront reading it through an Origin Access Control)`,
        { cause: error },
      );
    }
    throw error;
  }
}
