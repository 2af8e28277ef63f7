import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { CloudFrontClient } from "@aws-sdk/client-cloudfront";
import { CloudFrontKeyValueStoreClient } from "@aws-sdk/client-cloudfront-keyvaluestore";
import { S3Client } from "@aws-sdk/client-s3";
import { type AwsSettings, awsClientConfig } from "../lib/aws";
import { recordFailedCalls } from "../lib/aws-call";
import { forRun } from "../lib/read-only";
import { loopbackLookup } from "./loopback-lookup";
import { addressBucketsByPathOnCustomEndpoints, pathStyleChoice } from "./s3-addressing";
// Registers the SDK's SigV4A signer, which the key value store's data plane requires.
import "@aws-sdk/signature-v4a";

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

/**
 * The key value store's data plane signs with SigV4A (the import above registers the SDK's
 * pure-JavaScript signer). Its endpoint is `<account>.<endpoint host>`: on AWS a public name, on a
 * local stand-in (AWS_ENDPOINT_URL_CLOUDFRONT_KEYVALUESTORE=http://localhost:port) a name under
 * `localhost`, which RFC 6761 reserves for loopback but which glibc does not resolve: the plain
 * HTTP agent answers such names itself (HTTPS, AWS's case, keeps the system resolver).
 */
export function createKeyValueStoreClient(settings: AwsSettings): CloudFrontKeyValueStoreClient {
  return forRun(
    recordFailedCalls(
      new CloudFrontKeyValueStoreClient({
        ...awsClientConfig(settings),
        requestHandler: { httpAgent: new HttpAgent({ keepAlive: true, lookup: loopbackLookup }) },
      }),
    ),
    settings.readOnly === true,
  );
}
