import { z } from "zod";
import { AwsError } from "../../server/errors";
import { wildcardMatcher } from "../wildcard";
import {
  type ConditionBlock,
  conditionOperator,
  evaluateConditions,
  type RequestContext,
} from "./policy-conditions";

/**
 * Bucket policies. PutBucketPolicy takes any document that follows IAM's policy grammar (IAM
 * User Guide, "Grammar of the IAM JSON policy language"): any condition key, any of the grammar's
 * condition operators. They are evaluated for reads by a service principal, which is how a
 * CloudFront distribution with an Origin Access Control reaches a private bucket: the edge asks
 * before every origin read. AWS API callers are not checked (they hold the account's keys).
 */

const oneOrMany = z.union([z.string(), z.array(z.string()).min(1)]);

const principalSchema = z.union([
  z.literal("*"),
  z
    .object({
      AWS: oneOrMany.optional(),
      Service: oneOrMany.optional(),
      Federated: oneOrMany.optional(),
      CanonicalUser: oneOrMany.optional(),
    })
    .strict()
    .refine((principal) => Object.keys(principal).length > 0, "names no principal"),
]);

/** A condition value: JSON strings, and the numbers and booleans policies often write bare. */
const conditionValue = z.union([z.string(), z.number(), z.boolean()]);

const conditionSchema = z.record(
  z.string().refine((name) => conditionOperator(name) !== undefined, {
    message: "is not a condition operator",
  }),
  z.record(z.string().min(1), z.union([conditionValue, z.array(conditionValue).min(1)])),
);

const statementSchema = z
  .object({
    Sid: z.string().optional(),
    Effect: z.enum(["Allow", "Deny"]),
    Principal: principalSchema.optional(),
    NotPrincipal: principalSchema.optional(),
    Action: oneOrMany.optional(),
    NotAction: oneOrMany.optional(),
    Resource: oneOrMany.optional(),
    NotResource: oneOrMany.optional(),
    Condition: conditionSchema.optional(),
  })
  .strict()
  .superRefine((statement, context) => {
    // A resource-based policy names whom it applies to; each pair is one element or the other.
    for (const [element, negated] of [
      ["Principal", "NotPrincipal"],
      ["Action", "NotAction"],
      ["Resource", "NotResource"],
    ] as const) {
      const count = [statement[element], statement[negated]].filter((v) => v !== undefined).length;
      if (count !== 1) {
        context.addIssue({
          code: "custom",
          message:
            count === 0
              ? `Missing required field ${element}`
              : `${element} and ${negated} both set`,
        });
      }
    }
  });

const policySchema = z
  .object({
    // IAM: a policy without Version is read as 2008-10-17.
    Version: z.enum(["2012-10-17", "2008-10-17"]).optional(),
    Id: z.string().optional(),
    Statement: z.union([statementSchema, z.array(statementSchema).min(1)]),
  })
  .strict();

export type BucketPolicy = z.infer<typeof policySchema>;
type Statement = z.infer<typeof statementSchema>;
type Principal = z.infer<typeof principalSchema>;

/** Parses and checks a policy document as PutBucketPolicy receives it. */
export const parseBucketPolicy = (text: string): BucketPolicy => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw malformed("This policy contains invalid Json");
  }
  const parsed = policySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw malformed(
      `Policy does not follow the IAM policy grammar: ${issue?.path.join(".") || "document"}: ${issue?.message}`,
    );
  }
  return parsed.data;
};

const malformed = (message: string) => new AwsError("MalformedPolicy", message, 400);

/** A read by an AWS service on behalf of a resource (CloudFront: the distribution's ARN). */
export interface ServiceRead {
  service: string;
  sourceArn: string;
  sourceAccount: string;
  /** Whether the read stands for one over HTTPS (`aws:SecureTransport`). */
  secureTransport: boolean;
  bucket: string;
  key: string;
  now: Date;
}

/**
 * IAM's order: an explicit Deny wins, then an Allow grants; nothing matching is an implicit deny,
 * since a service principal has no identity policy of its own to grant it anything. A condition
 * on a key localcloud cannot know for the read is taken the way that refuses: it keeps an Allow
 * from granting, and lets a Deny deny.
 */
export const serviceMayRead = (policy: BucketPolicy, read: ServiceRead): boolean => {
  const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  const context = readContext(read);
  const applying = (statement: Statement) => {
    if (!targets(statement, read)) return "fails";
    return evaluateConditions(statement.Condition as ConditionBlock | undefined, context);
  };
  const denied = statements.some(
    (statement) => statement.Effect === "Deny" && applying(statement) !== "fails",
  );
  if (denied) return false;
  return statements.some(
    (statement) => statement.Effect === "Allow" && applying(statement) === "holds",
  );
};

/**
 * The request context of a service principal's read, as far as localcloud knows it (IAM User
 * Guide, "AWS global condition context keys", each key's Availability).
 */
const readContext = (read: ServiceRead): RequestContext => ({
  present: {
    "aws:SourceArn": [read.sourceArn],
    "aws:SourceAccount": [read.sourceAccount],
    "aws:SecureTransport": [String(read.secureTransport)],
    "aws:PrincipalServiceName": [read.service],
    "aws:PrincipalIsAWSService": ["true"],
    "aws:CurrentTime": [read.now.toISOString()],
    "aws:EpochTime": [String(Math.floor(read.now.getTime() / 1000))],
  },
  // Present only for requests through a VPC endpoint, which localcloud has none of.
  absent: ["aws:SourceVpc", "aws:SourceVpce", "aws:VpcSourceIp"],
});

const list = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** IAM wildcards (`*`, `?`); action names ignore case, resources do not. */
const wildcard = (pattern: string, value: string, ignoreCase = false): boolean =>
  wildcardMatcher(pattern, { ignoreCase })(value);

const principalMatches = (principal: Principal, service: string): boolean =>
  principal === "*" ||
  list(principal.AWS).includes("*") ||
  list(principal.Service).some((name) => name.toLowerCase() === service);

/** Whether the statement's principal, action and resource elements name this read. */
const targets = (statement: Statement, read: ServiceRead): boolean => {
  const principal = statement.Principal
    ? principalMatches(statement.Principal, read.service)
    : !principalMatches(statement.NotPrincipal ?? "*", read.service);
  const action = statement.Action
    ? list(statement.Action).some((pattern) => wildcard(pattern, "s3:GetObject", true))
    : !list(statement.NotAction).some((pattern) => wildcard(pattern, "s3:GetObject", true));
  const arn = `arn:aws:s3:::${read.bucket}/${read.key}`;
  const resource = statement.Resource
    ? list(statement.Resource).some((pattern) => wildcard(pattern, arn))
    : !list(statement.NotResource).some((pattern) => wildcard(pattern, arn));
  return principal && action && resource;
};
