import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { CloudFrontClient } from "@aws-sdk/client-cloudfront";
import { S3Client } from "@aws-sdk/client-s3";
import { type AwsSettings, awsClientConfig } from "../lib/aws";
import { recordFailedCalls } from "../lib/aws-call";
import { forRun } from "../lib/read-only";
import { addressBucketsByPathOnCustomEndpoints, pathStyleChoice } from "./s3-addressing";

/**
 * S3 with keep-alive sockets sized to the upload concurrency (one TLS handshake per socket, not
 * per file). Path-style addressing with a custom endpoint, or as AWS_S3_FORCE_PATH_STYLE says
 * (see s3-addressing.ts).
 */
export function createS3Client(
  settings: AwsSettings & { concurrency: number },
  env: NodeJS.ProcessEnv = process.env,
): S3Client {
  const sockets = { keepAlive: true, maxSockets: settings.concurrency };
  const choice = pathStyleChoice(env);
  const client = new S3Client({
    ...awsClientConfig(settings),
    // The SDK builds its Node handler from these options.
    requestHandler: { httpAgent: new HttpAgent(sockets), httpsAgent: new HttpsAgent(sockets) },
  });
  return forRun(
    recordFailedCalls(addressBucketsByPathOnCustomEndpoints(client, choice)),
    settings.readOnly === true,
  );
}

export function createCloudFrontClient(settings: AwsSettings): CloudFrontClient {
  return forRun(
    recordFailedCalls(new CloudFrontClient(awsClientConfig(settings))),
    settings.readOnly === true,
  );
}
