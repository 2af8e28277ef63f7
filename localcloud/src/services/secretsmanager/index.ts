import { randomBytes, randomUUID } from "node:crypto";
import { join } from "node:path";
import type { AwsRequest } from "../../server/aws-request";
import { AwsError } from "../../server/errors";
import { jsonResponse } from "../../server/protocols";
import { JsonFile } from "../../state/json-file";
import type { LocalcloudService, ServiceContext, ServiceFactory } from "../service";

interface SecretVersion {
  id: string;
  value?: string;
  /** Base64, as the API carries SecretBinary. */
  binary?: string;
  stages: string[];
  createdAt: number;
}

interface SecretRecord {
  arn: string;
  name: string;
  description?: string;
  createdAt: number;
  /** Set by DeleteSecret with a recovery window: the secret can no longer be read. */
  deletionDate?: number;
  versions: SecretVersion[];
}

interface SecretsState {
  secrets: SecretRecord[];
}

/** Secrets Manager, as far as ECS's `secrets` and a deploy's tests need it. */
export interface SecretsManagerService extends LocalcloudService {
  /**
   * The current value of a secret by name or ARN (full or without its random suffix); throws the
   * AwsError GetSecretValue would.
   */
  currentValue(secretId: string): string;
}

export const secretsManagerService: ServiceFactory = {
  name: "secretsmanager",
  create: (context) => createSecretsManagerService(context),
};

const notFound = () =>
  new AwsError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
const invalidRequest = (message: string) => new AwsError("InvalidRequestException", message);
const invalidParameter = (message: string) => new AwsError("InvalidParameterException", message);

/** Secret names: 1–512 of letters, digits and /_+=.@- (AWS's rule). */
const NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;

/** Six characters after the name, as AWS appends to every secret ARN. */
const suffix = () =>
  randomBytes(6)
    .toString("base64")
    .replace(/[^A-Za-z0-9]/g, "x")
    .slice(0, 6);

const createSecretsManagerService = (context: ServiceContext): SecretsManagerService => {
  const state = new JsonFile<SecretsState>(join(context.stateDir, "secrets.json"), () => ({
    secrets: [],
  }));

  /** By name, full ARN, or ARN without the random suffix (a "partial ARN"). */
  const find = (secretId: unknown): SecretRecord | undefined => {
    const id = typeof secretId === "string" ? secretId : "";
    return state.data.secrets.find(
      (s) => s.name === id || s.arn === id || s.arn.slice(0, -7) === id,
    );
  };
  const readable = (secretId: unknown): SecretRecord => {
    const secret = find(secretId);
    if (!secret) throw notFound();
    if (secret.deletionDate !== undefined) {
      throw invalidRequest(
        "You can't perform this operation on the secret because it was marked for deletion.",
      );
    }
    return secret;
  };
  const newVersion = (input: Record<string, unknown>, stages: string[]): SecretVersion => {
    const value = typeof input.SecretString === "string" ? input.SecretString : undefined;
    const binary = typeof input.SecretBinary === "string" ? input.SecretBinary : undefined;
    if (value === undefined && binary === undefined) {
      throw invalidParameter("You must provide either SecretString or SecretBinary.");
    }
    if (value !== undefined && binary !== undefined) {
      throw invalidParameter(
        "You can't specify both a binary secret value and a string secret value in the same secret.",
      );
    }
    return {
      id: typeof input.ClientRequestToken === "string" ? input.ClientRequestToken : randomUUID(),
      ...(value !== undefined ? { value } : {}),
      ...(binary !== undefined ? { binary } : {}),
      stages,
      createdAt: Date.now(),
    };
  };
  const current = (secret: SecretRecord): SecretVersion => {
    const version = secret.versions.find((v) => v.stages.includes("AWSCURRENT"));
    if (!version) throw notFound();
    return version;
  };

  const operations: Record<string, (input: Record<string, unknown>) => unknown> = {
    CreateSecret(input) {
      const name = typeof input.Name === "string" ? input.Name : "";
      if (!NAME.test(name)) {
        throw invalidParameter(
          "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!",
        );
      }
      if (find(name)) {
        throw new AwsError(
          "ResourceExistsException",
          `The operation failed because the secret ${name} already exists.`,
        );
      }
      const version = newVersion(input, ["AWSCURRENT"]);
      const secret: SecretRecord = {
        arn: `arn:aws:secretsmanager:${context.region}:${context.accountId}:secret:${name}-${suffix()}`,
        name,
        ...(typeof input.Description === "string" ? { description: input.Description } : {}),
        createdAt: Date.now(),
        versions: [version],
      };
      state.update((s) => {
        s.secrets.push(secret);
      });
      return { ARN: secret.arn, Name: secret.name, VersionId: version.id };
    },
    GetSecretValue(input) {
      const secret = readable(input.SecretId);
      const stage = typeof input.VersionStage === "string" ? input.VersionStage : undefined;
      const version =
        typeof input.VersionId === "string"
          ? secret.versions.find((v) => v.id === input.VersionId)
          : secret.versions.find((v) => v.stages.includes(stage ?? "AWSCURRENT"));
      if (!version) throw notFound();
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: version.id,
        ...(version.value !== undefined ? { SecretString: version.value } : {}),
        ...(version.binary !== undefined ? { SecretBinary: version.binary } : {}),
        VersionStages: version.stages,
        CreatedDate: version.createdAt / 1000,
      };
    },
    PutSecretValue(input) {
      const secret = readable(input.SecretId);
      const version = newVersion(input, ["AWSCURRENT"]);
      state.update(() => {
        for (const v of secret.versions) {
          v.stages = v.stages.filter((s) => s !== "AWSPREVIOUS");
        }
        const previous = current(secret);
        previous.stages = [...previous.stages.filter((s) => s !== "AWSCURRENT"), "AWSPREVIOUS"];
        secret.versions = [...secret.versions.filter((v) => v.stages.length > 0), version];
      });
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: version.id,
        VersionStages: version.stages,
      };
    },
    DescribeSecret(input) {
      const secret = find(input.SecretId);
      if (!secret) throw notFound();
      return {
        ARN: secret.arn,
        Name: secret.name,
        ...(secret.description ? { Description: secret.description } : {}),
        CreatedDate: secret.createdAt / 1000,
        ...(secret.deletionDate !== undefined ? { DeletedDate: secret.deletionDate / 1000 } : {}),
        VersionIdsToStages: Object.fromEntries(secret.versions.map((v) => [v.id, v.stages])),
      };
    },
    DeleteSecret(input) {
      const secret = find(input.SecretId);
      if (!secret) throw notFound();
      const force = input.ForceDeleteWithoutRecovery === true;
      const days =
        input.RecoveryWindowInDays === undefined ? 30 : Number(input.RecoveryWindowInDays);
      if (force && input.RecoveryWindowInDays !== undefined) {
        throw invalidParameter(
          "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
        );
      }
      if (!force && !(days >= 7 && days <= 30)) {
        throw invalidParameter("The recovery window must be between 7 and 30 days.");
      }
      const deletionDate = force ? Date.now() : Date.now() + days * 86_400_000;
      state.update((s) => {
        if (force) s.secrets = s.secrets.filter((other) => other !== secret);
        else secret.deletionDate = deletionDate;
      });
      return { ARN: secret.arn, Name: secret.name, DeletionDate: deletionDate / 1000 };
    },
  };

  return {
    name: "secretsmanager",
    signingName: "secretsmanager",
    protocol: "json",
    throttlingError: { code: "ThrottlingException", status: 400, message: "Rate exceeded" },
    operationOf: (request: AwsRequest) =>
      request.header("x-amz-target")?.split(".")[1] ?? "Unknown",
    async handle(request, operation) {
      const op = operations[operation];
      if (!op) {
        throw new AwsError(
          "UnknownOperationException",
          `localcloud does not emulate secretsmanager ${operation}`,
        );
      }
      return jsonResponse(op(JSON.parse(request.body.toString("utf8") || "{}")));
    },
    async stop() {
      state.save();
    },
    currentValue(secretId) {
      const version = current(readable(secretId));
      return version.value ?? Buffer.from(version.binary ?? "", "base64").toString("utf8");
    },
  };
};
