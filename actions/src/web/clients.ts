import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { CloudFrontClient } from "@aws-sdk/client-cloudfront";
import { S3Client } from "@aws-sdk/client-s3";
import { type AwsSettings, awsClientConfig } from "../lib/aws";
import { forRun } from "../lib/read-only";

/**
 * S3 with keep-alive sockets sized to the upload concurrency (one TLS handshake per socket, not
 * per file). Path-style addressing when a custom endpoint is set (AWS_ENDPOINT_URL[_S3]): local
 * stand-ins and most S3-compatible stores do not resolve bucket subdomains.
 */
export function createS3Client(
  settings: AwsSettings & { concurrency: number },
  env: NodeJS.ProcessEnv = process.env,
): S3Client {
  const sockets = { keepAlive: true, maxSockets: settings.concurrency };
  const client = new S3Client({
    ...awsClientConfig(settings),
    forcePathStyle: Boolean(env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL),
    // The SDK builds its Node handler from these options.
    requestHandler: { httpAgent: new HttpAgent(sockets), httpsAgent: new HttpsAgent(sockets) },
  });
  return forRun(client, settings.readOnly === true);
}

export function createCloudFrontClient(settings: AwsSettings): CloudFrontClient {
  return forRun(new CloudFrontClient(awsClientConfig(settings)), settings.readOnly === true);
}
