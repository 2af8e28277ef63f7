import { CloudFrontClient, CreateDistributionCommand } from "@aws-sdk/client-cloudfront";
import {
  DeleteBucketPolicyCommand,
  GetBucketPolicyCommand,
  PutBucketPolicyCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CloudFrontService } from "../../src/services/cloudfront";
import { clientConfig } from "../helpers/cloud";
import { type EdgeCloud, s3Writer, spaConfig, startEdgeCloud } from "./support";

const BUCKET = "policy-site";
let cloud: EdgeCloud;
let s3: S3Client;
let edge: string;
let distributionArn: string;

/** OAC's documented policy: CloudFront may read the bucket for this distribution only. */
const oacPolicy = (arn: string, extra: object[] = []) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AllowCloudFrontServicePrincipalReadOnly",
        Effect: "Allow",
        Principal: { Service: "cloudfront.amazonaws.com" },
        Action: "s3:GetObject",
        Resource: `arn:aws:s3:::${BUCKET}/*`,
        Condition: { StringEquals: { "AWS:SourceArn": arn } },
      },
      ...extra,
    ],
  });

const denyPrefix = (prefix: string) => ({
  Effect: "Deny",
  Principal: { Service: "cloudfront.amazonaws.com" },
  Action: "s3:GetObject",
  Resource: `arn:aws:s3:::${BUCKET}/${prefix}*`,
});

const get = async (path: string) => {
  const response = await fetch(`${edge}${path}`);
  return { status: response.status, body: await response.text() };
};

beforeAll(async () => {
  cloud = await startEdgeCloud();
  s3 = new S3Client({ ...clientConfig(cloud), forcePathStyle: true });
  const site = s3Writer(cloud, BUCKET);
  await site.createBucket();
  await site.put("index.html", "<p>the app</p>");
  await site.put("private/secret.json", '{"secret":true}', undefined, "application/json");
  const created = await new CloudFrontClient(clientConfig(cloud)).send(
    new CreateDistributionCommand({
      DistributionConfig: spaConfig("policy-test", BUCKET, undefined, {
        // No SPA fallback here: the origin's own answer must be visible.
        CustomErrorResponses: { Quantity: 0, Items: [] },
        DefaultCacheBehavior: {
          TargetOriginId: "web",
          ViewerProtocolPolicy: "allow-all",
          CachePolicyId: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
        },
      }),
    }),
  );
  distributionArn = created.Distribution?.ARN ?? "";
  edge = cloud.service<CloudFrontService>("cloudfront").edgeUrl(created.Distribution?.Id ?? "");
});

afterAll(async () => {
  await cloud?.dispose();
});

describe("bucket policies", () => {
  it("are put, read back as sent, and deleted through the S3 API", async () => {
    await expect(s3.send(new GetBucketPolicyCommand({ Bucket: BUCKET }))).rejects.toMatchObject({
      name: "NoSuchBucketPolicy",
    });
    const policy = oacPolicy(distributionArn);
    await s3.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: policy }));
    expect((await s3.send(new GetBucketPolicyCommand({ Bucket: BUCKET }))).Policy).toBe(policy);
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: BUCKET }));
    await expect(s3.send(new GetBucketPolicyCommand({ Bucket: BUCKET }))).rejects.toMatchObject({
      name: "NoSuchBucketPolicy",
    });
  });

  it("refuses a document that is not a policy it can evaluate", async () => {
    for (const policy of ["not json", JSON.stringify({ Version: "2012-10-17", Statement: [] })]) {
      await expect(
        s3.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: policy })),
      ).rejects.toMatchObject({ name: "MalformedPolicy" });
    }
  });

  it("decide what the distribution may read: Deny wins, then Allow, else 403", async () => {
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: BUCKET,
        Policy: oacPolicy(distributionArn, [denyPrefix("private/")]),
      }),
    );
    expect(await get("/index.html")).toEqual({ status: 200, body: "<p>the app</p>" });
    const denied = await get("/private/secret.json");
    expect(denied.status).toBe(403);
    expect(denied.body).toContain("AccessDenied");
    expect(denied.body).not.toContain("secret");

    // A policy granting another distribution only: nothing is readable through this one.
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: BUCKET,
        Policy: oacPolicy("arn:aws:cloudfront::000000000000:distribution/EOTHER"),
      }),
    );
    expect((await get("/index.html")).status).toBe(403);

    await s3.send(new DeleteBucketPolicyCommand({ Bucket: BUCKET }));
    expect((await get("/private/secret.json")).body).toBe('{"secret":true}');
  });
});
