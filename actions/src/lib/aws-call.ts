/**
 * Which AWS call failed, kept on the error the SDK throws. AWS's own messages often do not say
 * (S3 answers a refused PutObject with just "Access Denied"), yet a user can only fix a missing
 * permission or a misnamed resource when told the action and the resource. Only names are kept,
 * never the call's input: it may carry file contents or secrets.
 */
export interface FailedCall {
  /** The IAM service prefix: "s3", "ecs", "elasticloadbalancing". */
  service: string;
  /** The API operation: "PutObject", "UpdateService". */
  operation: string;
  /** What the call addressed: an ARN when the input gives or implies one, else a description. */
  resource?: string;
}

const FAILED_CALL = Symbol.for("shipline.failedCall");

/** The SDK client's class name → the service prefix IAM actions use. */
const SERVICE_PREFIXES: Record<string, string> = {
  S3Client: "s3",
  ECSClient: "ecs",
  ECRClient: "ecr",
  ElasticLoadBalancingV2Client: "elasticloadbalancing",
  CloudFrontClient: "cloudfront",
  CloudFrontKeyValueStoreClient: "cloudfront-keyvaluestore",
  CloudWatchLogsClient: "logs",
  CloudWatchClient: "cloudwatch",
  STSClient: "sts",
};

type Input = Record<string, unknown>;

const text = (value: unknown): string | undefined =>
  typeof value === "string" && value !== "" ? value : undefined;

/** S3 resources are ARNs without account or region: the bucket, or one object in it. */
function s3Resource(input: Input): string | undefined {
  const bucket = text(input.Bucket);
  if (!bucket) return undefined;
  const objects = (input.Delete as { Objects?: { Key?: string }[] } | undefined)?.Objects;
  const key = text(input.Key) ?? text(objects?.[0]?.Key);
  return key === undefined ? `arn:aws:s3:::${bucket}` : `arn:aws:s3:::${bucket}/${key}`;
}

/** The first ARN the input names, else the names it addresses, for the other services. */
function namedResource(input: Input): string | undefined {
  for (const field of [
    "resourceArn",
    "ResourceArn",
    "TargetGroupArn",
    "LoadBalancerArn",
    "ListenerArn",
    "taskDefinition",
    "service",
    "cluster",
  ]) {
    const value = text(input[field]);
    if (value?.startsWith("arn:")) return value;
  }
  const described = [
    ["service", "service"],
    ["cluster", "cluster"],
    ["taskDefinition", "task definition"],
    ["family", "task definition family"],
    ["repositoryName", "repository"],
    ["logGroupName", "log group"],
    ["DistributionId", "distribution"],
  ].flatMap(([field, label]) => {
    const value = text(input[field as string]);
    return value ? [`${label} ${JSON.stringify(value)}`] : [];
  });
  const lists = [
    ["TargetGroupArns", "target groups"],
    ["tasks", "tasks"],
    ["services", "services"],
  ].flatMap(([field, label]) => {
    const values = input[field as string];
    return Array.isArray(values) && values.length > 0 ? [`${label} ${values.join(", ")}`] : [];
  });
  const all = [...described, ...lists];
  return all.length > 0 ? all.join(", ") : undefined;
}

/** What a call addressed, from its input (pure: exported for tests). */
export function resourceOf(service: string, input: unknown): string | undefined {
  if (typeof input !== "object" || input === null) return undefined;
  return service === "s3" ? s3Resource(input as Input) : namedResource(input as Input);
}

/** The failed call recorded on an error by `recordFailedCalls`, if any. */
export function failedCallOf(error: unknown): FailedCall | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  return (error as { [FAILED_CALL]?: FailedCall })[FAILED_CALL];
}

/** Attaches the failed call to an error (exported for tests that build errors by hand). */
export function withFailedCall<E>(error: E, call: FailedCall): E {
  if (
    typeof error === "object" &&
    error !== null &&
    Object.isExtensible(error) &&
    failedCallOf(error) === undefined
  ) {
    Object.defineProperty(error, FAILED_CALL, { value: call, enumerable: false });
  }
  return error;
}

type Next = (args: { input: unknown }) => Promise<unknown>;

/** The part of an SDK client's middleware stack used here, without the SDK's per-client generics. */
interface InitializeStack {
  add(
    middleware: (next: Next, context: { clientName?: string; commandName?: string }) => Next,
    options: { step: "initialize"; name: string },
  ): void;
}

const recording = new WeakSet<object>();

/**
 * Makes every failure of this client's calls carry the call (service, operation, resource). It
 * runs first in the stack, so failures of any later step (region, credentials, signing, the
 * response) are covered too.
 */
export function recordFailedCalls<C extends { middlewareStack: object }>(client: C): C {
  // A stack refuses a second middleware of the same name: wrapping twice is a no-op.
  if (recording.has(client)) return client;
  recording.add(client);
  // Every SDK v3 client's stack has this `add`; its own type differs per client (input/output).
  (client.middlewareStack as InitializeStack).add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        const clientName = context.clientName ?? "";
        const service =
          SERVICE_PREFIXES[clientName] ?? clientName.replace(/Client$/, "").toLowerCase();
        const operation = (context.commandName ?? "").replace(/Command$/, "");
        const resource = resourceOf(service, args.input);
        throw withFailedCall(error, { service, operation, ...(resource ? { resource } : {}) });
      }
    },
    { step: "initialize", name: "shiplineRecordFailedCalls" },
  );
  return client;
}
