import { CloudFrontClient } from "@aws-sdk/client-cloudfront";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { ECRClient } from "@aws-sdk/client-ecr";
import { createClient } from "../lib/aws";
import { systemClock } from "../lib/clock";
import type { Logger } from "../lib/logger";
import { createServiceClients } from "../service/clients";
import { createKeyValueStoreClient, createS3Client } from "../web/clients";
import type { ReleaseDeps } from "./deploy";

/** The real clients deploy and rollback use, for the CLI and the actions alike. */
export function releaseDeps(
  region: string | undefined,
  logger: Logger,
  env: NodeJS.ProcessEnv,
  signal?: AbortSignal,
): ReleaseDeps {
  const settings = region ? { region } : {};
  return {
    s3: createS3Client({ ...settings, concurrency: 8 }, env),
    cloudfront: () => createClient(CloudFrontClient, settings),
    keyValueStore: () => createKeyValueStoreClient(settings),
    service: createServiceClients(settings),
    ecr: () => createClient(ECRClient, settings),
    cloudwatch: () => createClient(CloudWatchClient, settings),
    clock: systemClock,
    logger,
    env,
    ...(signal ? { signal } : {}),
  };
}
