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
  /** Retries for throttling and transient errors (the SDK's standard retry strategy). */
  maxAttempts?: number;
  /** A dry run's client: it refuses every operation that writes (see read-only.ts). */
  readOnly?: boolean;
}

export interface AwsClientConfig {
  region?: string;
  maxAttempts: number;
  customUserAgent: string;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

export function awsClientConfig(settings: AwsSettings = {}): AwsClientConfig {
  if (settings.region !== undefined && !REGION.test(settings.region)) {
    throw new ConfigurationError(
      `region ${JSON.stringify(settings.region)} is not an AWS region name like "eu-west-1"`,
    );
  }
  return {
    ...(settings.region ? { region: settings.region } : {}),
    maxAttempts: settings.maxAttempts ?? 5,
    customUserAgent: "shipline",
  };
}

/** Creates any SDK v3 client with shipline's shared settings: `createClient(ECRClient, settings)`. */
export function createClient<C extends SdkClient>(
  Client: new (config: AwsClientConfig) => C,
  settings: AwsSettings = {},
): C {
  return forRun(new Client(awsClientConfig(settings)), settings.readOnly === true);
}
