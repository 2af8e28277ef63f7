import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { REPO_ROOT } from "../helpers/fixtures";

/**
 * The IAM actions an API call recorded by localcloud needs, as AWS documents them. Registry
 * (OCI Distribution) calls map to the ECR actions Docker's own push and pull need.
 */
const S3: Record<string, string[]> = {
  GetObject: ["s3:GetObject"],
  HeadObject: ["s3:GetObject"],
  PutObject: ["s3:PutObject"],
  CopyObject: ["s3:GetObject", "s3:PutObject"],
  CreateMultipartUpload: ["s3:PutObject"],
  UploadPart: ["s3:PutObject"],
  CompleteMultipartUpload: ["s3:PutObject"],
  AbortMultipartUpload: ["s3:AbortMultipartUpload"],
  DeleteObject: ["s3:DeleteObject"],
  DeleteObjects: ["s3:DeleteObject"],
  ListObjectsV2: ["s3:ListBucket"],
  ListObjects: ["s3:ListBucket"],
};

const REGISTRY: Record<string, string[]> = {
  CheckApi: [],
  HeadBlob: ["ecr:BatchCheckLayerAvailability"],
  GetBlob: ["ecr:GetDownloadUrlForLayer"],
  StartUpload: ["ecr:InitiateLayerUpload"],
  UploadBlob: ["ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"],
  MountBlob: ["ecr:InitiateLayerUpload", "ecr:GetDownloadUrlForLayer"],
  PatchUpload: ["ecr:UploadLayerPart"],
  CompleteUpload: ["ecr:CompleteLayerUpload"],
  GetUploadStatus: ["ecr:InitiateLayerUpload"],
  HeadManifest: ["ecr:BatchGetImage"],
  GetManifest: ["ecr:BatchGetImage"],
  PutManifest: ["ecr:PutImage"],
  ListTags: ["ecr:ListImages"],
};

const PREFIX: Record<string, string> = {
  ecr: "ecr",
  ecs: "ecs",
  elbv2: "elasticloadbalancing",
  elasticloadbalancing: "elasticloadbalancing",
  cloudfront: "cloudfront",
  "cloudfront-keyvaluestore": "cloudfront-keyvaluestore",
  logs: "logs",
  monitoring: "cloudwatch",
  sts: "sts",
};

/** Services whose calls are data-plane traffic (the load balancer, the edge), not the API. */
const NOT_API = new Set(["alb", "edge", "cloudfront-edge"]);

export function iamActionsOf(service: string, operation: string): string[] {
  if (NOT_API.has(service)) return [];
  if (service === "s3") return S3[operation] ?? [`s3:${operation}`];
  if (service === "registry") return REGISTRY[operation] ?? [`ecr:${operation}`];
  const prefix = PREFIX[service];
  if (!prefix) throw new Error(`no IAM mapping for service ${service} (${operation})`);
  return [`${prefix}:${operation}`];
}

/** Every action a policy document allows. */
export async function policyActions(command: string): Promise<Set<string>> {
  const document = JSON.parse(
    await readFile(join(REPO_ROOT, "actions", "iam", `${command}.json`), "utf8"),
  ) as { Statement: { Effect: string; Action: string[] | string }[] };
  return new Set(
    document.Statement.filter((s) => s.Effect === "Allow").flatMap((s) =>
      Array.isArray(s.Action) ? s.Action : [s.Action],
    ),
  );
}

/**
 * The IAM actions a command's recorded calls need. Tasks pull their images with the task
 * execution role, not the deployer's: localcloud's ECS pulls through the same registry, so its
 * reads are left out.
 */
export function actionsNeeded(
  calls: { service: string; operation: string }[],
): Map<string, string> {
  const needed = new Map<string, string>();
  for (const call of calls) {
    if (call.service === "registry" && /^Get(Manifest|Blob)$/.test(call.operation)) continue;
    for (const action of iamActionsOf(call.service, call.operation)) {
      needed.set(action, `${call.service} ${call.operation}`);
    }
  }
  return needed;
}

/** What the command's policy lacks of the actions needed: [action, the call that needs it]. */
export async function missingFromPolicy(
  command: string,
  needed: Map<string, string>,
): Promise<[string, string][]> {
  const allowed = await policyActions(command);
  return [...needed].filter(([action]) => !allowed.has(action));
}
