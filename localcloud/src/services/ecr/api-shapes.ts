import { z } from "zod";
import { AwsError } from "../../server/errors";

/** Request shapes of the ECR operations localcloud implements (fields it does not use pass). */
const imageId = z.object({
  imageDigest: z.string().optional(),
  imageTag: z.string().optional(),
});
export type ImageIdInput = z.infer<typeof imageId>;

const mutability = z.enum(["MUTABLE", "IMMUTABLE"]);
const maxResults = z.number().int().min(1).max(1000).optional();
const tagStatus = z.enum(["TAGGED", "UNTAGGED", "ANY"]).optional();

export const shapes = {
  CreateRepository: z.object({
    repositoryName: z.string(),
    imageTagMutability: mutability.optional(),
    imageScanningConfiguration: z.object({ scanOnPush: z.boolean().optional() }).optional(),
    encryptionConfiguration: z
      .object({
        encryptionType: z.enum(["AES256", "KMS", "KMS_DSSE"]),
        kmsKey: z.string().optional(),
      })
      .optional(),
  }),
  DescribeRepositories: z.object({
    repositoryNames: z.array(z.string()).min(1).max(100).optional(),
    maxResults,
    nextToken: z.string().optional(),
  }),
  DeleteRepository: z.object({ repositoryName: z.string(), force: z.boolean().optional() }),
  GetAuthorizationToken: z.object({}),
  DescribeImages: z.object({
    repositoryName: z.string(),
    imageIds: z.array(imageId).min(1).max(100).optional(),
    filter: z.object({ tagStatus }).optional(),
    maxResults,
    nextToken: z.string().optional(),
  }),
  ListImages: z.object({
    repositoryName: z.string(),
    filter: z.object({ tagStatus }).optional(),
    maxResults,
    nextToken: z.string().optional(),
  }),
  BatchGetImage: z.object({
    repositoryName: z.string(),
    imageIds: z.array(imageId).min(1).max(100),
    acceptedMediaTypes: z.array(z.string()).min(1).max(100).optional(),
  }),
  PutImage: z.object({
    repositoryName: z.string(),
    imageManifest: z.string().min(1).max(4_194_304),
    imageManifestMediaType: z.string().optional(),
    imageTag: z.string().min(1).max(300).optional(),
    imageDigest: z.string().optional(),
  }),
  BatchDeleteImage: z.object({
    repositoryName: z.string(),
    imageIds: z.array(imageId).min(1).max(100),
  }),
  BatchCheckLayerAvailability: z.object({
    repositoryName: z.string(),
    layerDigests: z.array(z.string()).min(1).max(100),
  }),
  PutImageTagMutability: z.object({
    repositoryName: z.string(),
    imageTagMutability: mutability,
  }),
  PutImageScanningConfiguration: z.object({
    repositoryName: z.string(),
    imageScanningConfiguration: z.object({ scanOnPush: z.boolean().optional() }),
  }),
  // AWS documents 100–30720 characters of JSON policy text.
  PutLifecyclePolicy: z.object({
    repositoryName: z.string(),
    lifecyclePolicyText: z.string().min(100).max(30720),
  }),
  GetLifecyclePolicy: z.object({ repositoryName: z.string() }),
  DeleteLifecyclePolicy: z.object({ repositoryName: z.string() }),
} as const;

export type Operation = keyof typeof shapes;
export type Input<O extends Operation> = z.infer<(typeof shapes)[O]>;

export const isOperation = (name: string): name is Operation => name in shapes;

/** Parses a JSON 1.1 body against the operation's shape; a bad field is InvalidParameterException. */
export const parseInput = <O extends Operation>(operation: O, body: Buffer): Input<O> => {
  let json: unknown;
  try {
    json = body.length === 0 ? {} : JSON.parse(body.toString("utf8"));
  } catch {
    throw new AwsError("SerializationException", "Request body is not valid JSON");
  }
  const parsed = shapes[operation].safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AwsError(
      "InvalidParameterException",
      `Invalid parameter at '${issue?.path.join(".") ?? ""}' failed to satisfy constraint: '${issue?.message ?? "invalid"}'`,
    );
  }
  return parsed.data as Input<O>;
};
