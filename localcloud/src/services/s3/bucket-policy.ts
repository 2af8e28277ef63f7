import { z } from "zod";
import { AwsError } from "../../server/errors";
import { wildcardMatcher } from "../wildcard";

/**
 * Bucket policies, as far as localcloud evaluates them: for reads by a service principal, which
 * is how a CloudFront distribution with an Origin Access Control reaches a private bucket. The
 * edge asks before every origin read; AWS API callers are not checked (they hold the account's
 * keys). A policy with an element localcloud cannot evaluate is refused when it is put, rather
 * than evaluated wrongly.
 */

const oneOrMany = z.union([z.string(), z.array(z.string()).min(1)]);

/** Condition operators on string and ARN values; keys are compared case-insensitively. */
const CONDITION_OPERATORS = ["StringEquals", "StringLike", "ArnEquals", "ArnLike"] as const;

const statementSchema = z
  .object({
    Sid: z.string().optional(),
    Effect: z.enum(["Allow", "Deny"]),
    Principal: z.union([
      z.literal("*"),
      z.object({ Service: oneOrMany.optional(), AWS: oneOrMany.optional() }).strict(),
    ]),
    Action: oneOrMany,
    Resource: oneOrMany,
    Condition: z
      .partialRecord(z.enum(CONDITION_OPERATORS), z.record(z.string(), oneOrMany))
      .optional(),
  })
  .strict();

const policySchema = z
  .object({
    Version: z.enum(["2012-10-17", "2008-10-17"]),
    Id: z.string().optional(),
    Statement: z.union([statementSchema, z.array(statementSchema).min(1)]),
  })
  .strict();

export type BucketPolicy = z.infer<typeof policySchema>;
type Statement = z.infer<typeof statementSchema>;

/** Parses and checks a policy document as PutBucketPolicy receives it. */
export const parseBucketPolicy = (text: string): BucketPolicy => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw malformed("Policies must be valid JSON");
  }
  const parsed = policySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw malformed(
      `localcloud cannot evaluate this policy: ${issue?.path.join(".") || "document"}: ${issue?.message}`,
    );
  }
  return parsed.data;
};

const malformed = (message: string) => new AwsError("MalformedPolicy", message, 400);

/** A read by an AWS service on behalf of a resource (CloudFront: the distribution's ARN). */
export interface ServiceRead {
  service: string;
  sourceArn: string;
  bucket: string;
  key: string;
}

/**
 * IAM's order: an explicit Deny wins, then an Allow grants; nothing matching is an implicit deny,
 * since a service principal has no identity policy of its own to grant it anything.
 */
export const serviceMayRead = (policy: BucketPolicy, read: ServiceRead): boolean => {
  const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  const matching = statements.filter((statement) => applies(statement, read));
  if (matching.some((statement) => statement.Effect === "Deny")) return false;
  return matching.some((statement) => statement.Effect === "Allow");
};

const list = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** IAM wildcards (`*`, `?`); action names ignore case, resources and values do not. */
const wildcard = (pattern: string, value: string, ignoreCase = false): boolean =>
  wildcardMatcher(pattern, { ignoreCase })(value);

const applies = (statement: Statement, read: ServiceRead): boolean => {
  const principal = statement.Principal;
  const principalMatches =
    principal === "*" || list(principal.Service).some((service) => service === read.service);
  const actionMatches = list(statement.Action).some((action) =>
    wildcard(action, "s3:GetObject", true),
  );
  const resource = `arn:aws:s3:::${read.bucket}/${read.key}`;
  const resourceMatches = list(statement.Resource).some((pattern) => wildcard(pattern, resource));
  return principalMatches && actionMatches && resourceMatches && conditionsHold(statement, read);
};

const conditionsHold = (statement: Statement, read: ServiceRead): boolean => {
  const context: Record<string, string> = { "aws:sourcearn": read.sourceArn };
  return Object.entries(statement.Condition ?? {}).every(([operator, entries]) =>
    Object.entries(entries).every(([key, expected]) => {
      const actual = context[key.toLowerCase()];
      if (actual === undefined) return false;
      const like = operator === "StringLike" || operator === "ArnLike";
      return list(expected).some((value) => (like ? wildcard(value, actual) : value === actual));
    }),
  );
};
