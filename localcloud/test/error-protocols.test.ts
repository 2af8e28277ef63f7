import { DescribeClustersCommand, ECSClient, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { GetObjectCommand, NoSuchBucket, S3Client } from "@aws-sdk/client-s3";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AwsRequest } from "../src/server/aws-request";
import type { Protocol } from "../src/server/protocols";
import { ecsService } from "../src/services/ecs";
import { s3Service } from "../src/services/s3";
import type { ServiceFactory } from "../src/services/service";
import { stsService } from "../src/services/sts";
import { clientConfig, startTestCloud } from "./helpers/cloud";

/**
 * Each service answers errors in its own protocol (JSON with __type for JSON services, XML for
 * Query and REST-XML ones), so the SDK can read the code; also when the request is unsigned and
 * so names no service. The SDK reads an error body of the wrong form as an unknown error.
 */
let cloud: Awaited<ReturnType<typeof startTestCloud>>;
let broken: Awaited<ReturnType<typeof startTestCloud>>;

/** A service whose handler has a bug: it throws something that is not an AWS error. */
const brokenService = (signingName: string, protocol: Protocol): ServiceFactory => ({
  name: `broken-${signingName}`,
  create: () => ({
    name: `broken-${signingName}`,
    signingName,
    protocol,
    throttlingError: { code: "Throttling", status: 400, message: "Rate exceeded" },
    operationOf: (_request: AwsRequest) => "Any",
    handle: async () => {
      throw new TypeError("a bug in a handler");
    },
  }),
});

beforeAll(async () => {
  [cloud, broken] = await Promise.all([
    startTestCloud({ services: [stsService, s3Service, ecsService] }),
    startTestCloud({
      services: [brokenService("s3", "rest-xml-s3"), brokenService("ecs", "json")],
    }),
  ]);
});

afterAll(async () => {
  await cloud?.dispose();
  await broken?.dispose();
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

  it("a bug in a handler is AWS's generic 500 in the service's protocol", async () => {
    const s3 = new S3Client({ ...clientConfig(broken), forcePathStyle: true, maxAttempts: 1 });
    await expect(s3.send(new GetObjectCommand({ Bucket: "b", Key: "a" }))).rejects.toMatchObject({
      name: "InternalError",
      $metadata: { httpStatusCode: 500 },
    });
    const ecs = new ECSClient({ ...clientConfig(broken), maxAttempts: 1 });
    await expect(ecs.send(new DescribeClustersCommand({}))).rejects.toMatchObject({
      name: "InternalFailure",
      $metadata: { httpStatusCode: 500 },
    });
  });

  it("an injected denial is each protocol's AccessDenied, naming the action where AWS does", async () => {
    cloud.faults.add({ service: "s3", operation: "GetObject", kind: "deny", count: 1 });
    cloud.faults.add({ service: "ecs", operation: "DescribeClusters", kind: "deny", count: 1 });
    cloud.faults.add({ service: "sts", kind: "deny", count: 1 });
    const s3 = new S3Client({ ...clientConfig(cloud), forcePathStyle: true, maxAttempts: 1 });
    await expect(s3.send(new GetObjectCommand({ Bucket: "b", Key: "a" }))).rejects.toMatchObject({
      name: "AccessDenied",
      message: "Access Denied",
      $metadata: { httpStatusCode: 403 },
    });
    const ecs = new ECSClient({ ...clientConfig(cloud), maxAttempts: 1 });
    await expect(ecs.send(new DescribeClustersCommand({}))).rejects.toMatchObject({
      name: "AccessDeniedException",
      message: expect.stringContaining("is not authorized to perform: ecs:DescribeClusters"),
    });
    const sts = new STSClient({ ...clientConfig(cloud), maxAttempts: 1 });
    await expect(sts.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: "AccessDenied",
      message: expect.stringContaining("is not authorized to perform: sts:GetCallerIdentity"),
      $metadata: { httpStatusCode: 403 },
    });
  });
});
