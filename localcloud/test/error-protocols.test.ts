import { DescribeClustersCommand, ECSClient, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { GetObjectCommand, NoSuchBucket, S3Client } from "@aws-sdk/client-s3";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ecsService } from "../src/services/ecs";
import { s3Service } from "../src/services/s3";
import { stsService } from "../src/services/sts";
import { clientConfig, startTestCloud } from "./helpers/cloud";

/**
 * Each service answers errors in its own protocol (JSON with __type for JSON services, XML for
 * Query and REST-XML ones), so the SDK can read the code; also when the request is unsigned and
 * so names no service. The SDK reads an error body of the wrong form as an unknown error.
 */
let cloud: Awaited<ReturnType<typeof startTestCloud>>;

beforeAll(async () => {
  cloud = await startTestCloud({ services: [stsService, s3Service, ecsService] });
});

afterAll(async () => {
  await cloud?.dispose();
});

/** Sends requests as they are: no signature, as an anonymous caller would. */
const unsigned = { signer: { sign: async <R>(request: R) => request } };

describe("error bodies in each service's protocol", () => {
  it("JSON service (ECS): the code the SDK reads from __type", async () => {
    const ecs = new ECSClient({ ...clientConfig(cloud), maxAttempts: 1 });
    await expect(
      ecs.send(new UpdateServiceCommand({ cluster: "none", service: "api", desiredCount: 1 })),
    ).rejects.toMatchObject({ name: "ClusterNotFoundException", message: "Cluster not found." });
  });

  it("REST-XML (S3): a missing bucket is S3's XML NoSuchBucket", async () => {
    const s3 = new S3Client({ ...clientConfig(cloud), forcePathStyle: true, maxAttempts: 1 });
    await expect(
      s3.send(new GetObjectCommand({ Bucket: "no-such-bucket", Key: "a" })),
    ).rejects.toBeInstanceOf(NoSuchBucket);
  });

  it("an unsigned S3 request is refused as S3 refuses an anonymous one: XML AccessDenied", async () => {
    const s3 = new S3Client({
      ...clientConfig(cloud),
      ...unsigned,
      forcePathStyle: true,
      maxAttempts: 1,
    });
    await expect(s3.send(new GetObjectCommand({ Bucket: "b", Key: "a" }))).rejects.toMatchObject({
      name: "AccessDenied",
      $metadata: { httpStatusCode: 403 },
    });
  });

  it("an unsigned Query request (STS) gets an XML error the SDK reads", async () => {
    const sts = new STSClient({ ...clientConfig(cloud), ...unsigned, maxAttempts: 1 });
    await expect(sts.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: "MissingAuthenticationToken",
      $metadata: { httpStatusCode: 403 },
    });
  });

  it("an unsigned JSON request (ECS) gets a JSON error the SDK reads", async () => {
    const ecs = new ECSClient({ ...clientConfig(cloud), ...unsigned, maxAttempts: 1 });
    await expect(ecs.send(new DescribeClustersCommand({}))).rejects.toMatchObject({
      name: "MissingAuthenticationToken",
      $metadata: { httpStatusCode: 403 },
    });
  });
});
