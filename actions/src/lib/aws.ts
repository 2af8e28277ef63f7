import { loadConfig } from "@smithy/core/config";
import { NODE_MAX_ATTEMPT_CONFIG_OPTIONS } from "@smithy/core/retry";
import { recordFailedCalls } from "./aws-call";
import { ConfigurationError } from "./errors";
import { forRun, type SdkClient } from "./read-only";

/**
 * Settings shared by every AWS client shipline creates.
 *
 * Endpoints: the SDK v3 itself honours AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>
 * (e.g. AWS_ENDPOINT_URL_ECR), and credentials come from its default chain (environment,
 * web identity / OIDC as set up by configure-aws-credentials, profiles, instance roles).
 * So nothing here overrides them: the same code reaches AWS or a local stand-in.
 */
export interface AwsSettings {
  /** The region; when undefined the SDK's own resolution applies (AWS_REGION, profile). */
  region?: string;
  /**
   * Attempts per call for throttling and transient errors. When undefined the SDK's own
   * resolution applies (AWS_MAX_ATTEMPTS, `max_attempts` in the profile), defaulting to
   * DEFAULT_MAX_ATTEMPTS rather than the SDK's 3.
   */
  maxAttempts?: number;
  /** A dry run's client: it refuses every operation that writes (see read-only.ts). */
  readOnly?: boolean;
}

export interface AwsClientConfig {
  region?: string;
  maxAttempts: number | (() => Promise<number>);
  customUserAgent: string;
}

/** A deploy runs for minutes; a few more attempts per call than the SDK's 3 cost nothing. */
export const DEFAULT_MAX_ATTEMPTS = 5;

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/**
 * The SDK's own lookup of the attempts (environment, then shared config file), with shipline's
 * default only where the user set nothing. The retry mode (AWS_RETRY_MODE, `retry_mode`) is
 * left entirely to the SDK.
 */
function maxAttemptsFromEnvironment(): () => Promise<number> {
  return loadConfig({ ...NODE_MAX_ATTEMPT_CONFIG_OPTIONS, default: DEFAULT_MAX_ATTEMPTS });
}

export function awsClientConfig(settings: AwsSettings = {}): AwsClientConfig {
  if (settings.region !== undefined && !REGION.test(settings.region)) {
    throw new ConfigurationError(
      `region ${JSON.stringify(settings.region)} is not an AWS region name like "eu-west-1"`,
    );
  }
  return {
    ...(settings.region ? { region: settings.region } : {}),
    maxAttempts: settings.maxAttempts ?? maxAttemptsFromEnvironment(),
    customUserAgent: "shipline",
  };
}

/** Creates any SDK v3 client with shipline's shared settings: `createClient(ECRClient, settings)`. */
export function createClient<C extends SdkClient>(
  Client: new (config: AwsClientConfig) => C,
  settings: AwsSettings = {},
): C {
  return forRun(
    recordFailedCalls(new Client(awsClientConfig(settings))),
    settings.readOnly === true,
  );
}
