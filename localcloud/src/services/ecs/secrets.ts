import { AwsError } from "../../server/errors";
import type { SecretsManagerService } from "../secretsmanager";
import type { SsmService } from "../ssm";

/** Where a task's `secrets` are read from (the services of the same cloud, when it runs them). */
export interface SecretSources {
  secretsManager(): SecretsManagerService | undefined;
  ssm(): SsmService | undefined;
}

/** A secret ECS could not read; the message is the stopped reason, as the agent words it. */
export class SecretRetrievalError extends Error {}

const PREFIX =
  "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed";

/**
 * The value a container's secret injects, read as ECS reads it when the task starts: a Secrets
 * Manager ARN (optionally `:json-key:version-stage:version-id` after it), else an SSM parameter
 * by ARN or by name. Failures carry no value, only what was asked for.
 */
export function resolveSecret(valueFrom: string, sources: SecretSources): string {
  const parts = valueFrom.split(":");
  if (parts[0] === "arn" && parts[2] === "secretsmanager") {
    const secretId = parts.slice(0, 7).join(":");
    const jsonKey = parts[7] || undefined;
    let value: string;
    try {
      const service = sources.secretsManager();
      if (!service)
        throw new AwsError(
          "ResourceNotFoundException",
          "Secrets Manager can't find the specified secret.",
        );
      value = service.currentValue(secretId);
    } catch (error) {
      const code = error instanceof AwsError ? error.code : "InternalFailure";
      throw new SecretRetrievalError(
        `${PREFIX}: unable to retrieve secret from asm: service call has been retried 1 time(s): ${code}: ${(error as Error).message}`,
      );
    }
    if (!jsonKey) return value;
    let document: unknown;
    try {
      document = JSON.parse(value);
    } catch {
      document = undefined;
    }
    const field =
      document && typeof document === "object"
        ? (document as Record<string, unknown>)[jsonKey]
        : undefined;
    if (field === undefined) {
      throw new SecretRetrievalError(
        `${PREFIX}: unable to retrieve secret from asm: retrieved secret from Secrets Manager did not contain json key ${jsonKey}`,
      );
    }
    return typeof field === "string" ? field : JSON.stringify(field);
  }
  const value = sources.ssm()?.parameterValue(valueFrom);
  if (value === undefined) {
    throw new SecretRetrievalError(
      `${PREFIX}: unable to retrieve secrets from ssm: service call has been retried 1 time(s): invalid ssm parameters: ${valueFrom}`,
    );
  }
  return value;
}
