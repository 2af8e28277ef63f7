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
import { CACHING_DISABLED, type EdgeCloud, s3Writer, spaConfig, startEdgeCloud } from "./support";

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
  await site.put("secure/page.html", "<p>over https</p>");
  const created = await new CloudFrontClient(clientConfig(cloud)).send(
    new CreateDistributionCommand({
      DistributionConfig: spaConfig("policy-test", BUCKET, undefined, {
        // No SPA fallback here: the origin's own answer must be visible.
        CustomErrorResponses: { Quantity: 0, Items: [] },
        DefaultCacheBehavior: {
          TargetOriginId: "web",
          ViewerProtocolPolicy: "allow-all",
          CachePolicyId: CACHING_DISABLED,
        },
        // Only HTTPS viewers reach the origin under this one (aws:SecureTransport true).
        CacheBehaviors: {
          Quantity: 1,
          Items: [
            {
              PathPattern: "/secure/*",
              TargetOriginId: "web",
              ViewerProtocolPolicy: "redirect-to-https",
              CachePolicyId: CACHING_DISABLED,
            },
          ],
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

const put = (policy: object) =>
  s3.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: JSON.stringify(policy) }));

const statement = (effect: "Allow" | "Deny", Condition?: object) => ({
  Effect: effect,
  Principal: { Service: "cloudfront.amazonaws.com" },
  Action: "s3:GetObject",
  Resource: `arn:aws:s3:::${BUCKET}/*`,
  ...(Condition ? { Condition } : {}),
});

/** The widely used statement refusing every request made without TLS. */
const denyInsecure = {
  Sid: "DenyInsecureTransport",
  Effect: "Deny",
  Principal: "*",
  Action: "s3:*",
  Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
  Condition: { Bool: { "aws:SecureTransport": "false" } },
};

describe("bucket policy grammar", () => {
  it("accepts any condition key and operator of IAM's grammar", async () => {
    const accepted = [
      { Version: "2012-10-17", Statement: [statement("Allow"), denyInsecure] },
      // Bare booleans and numbers, no Version (read as 2008-10-17), keys localcloud never sees.
      {
        Statement: {
          ...statement("Deny"),
          Condition: {
            Bool: { "aws:SecureTransport": false },
            NumericLessThan: { "s3:TlsVersion": 1.2 },
            IpAddress: { "aws:SourceIp": ["192.0.2.0/24", "2001:db8::/32"] },
            StringNotEqualsIfExists: { "s3:x-amz-server-side-encryption": "aws:kms" },
            "ForAnyValue:StringLike": { "aws:TagKeys": "team*" },
            Null: { "s3:x-amz-acl": "true" },
            DateGreaterThan: { "aws:CurrentTime": "2020-01-01T00:00:00Z" },
          },
        },
      },
      {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Deny",
            NotPrincipal: { AWS: `arn:aws:iam::${cloud.accountId}:root` },
            NotAction: ["s3:GetObject", "s3:ListBucket"],
            NotResource: `arn:aws:s3:::${BUCKET}/public/*`,
          },
        ],
      },
    ];
    for (const policy of accepted) await put(policy);
  });

  it("refuses with MalformedPolicy what breaks the grammar", async () => {
    const refused = [
      { Version: "2012-10-17", Statement: [statement("Allow", { StringEqualz: { k: "v" } })] },
      { Version: "2012-10-17", Statement: [statement("Allow", { NullIfExists: { k: "true" } })] },
      { Version: "2012-10-17", Statement: [{ ...statement("Allow"), Principal: undefined }] },
      { Version: "2012-10-17", Statement: [{ ...statement("Allow"), NotAction: "s3:PutObject" }] },
      { Version: "2012-10-17", Statement: [{ ...statement("Allow"), Effect: "Permit" }] },
      { Version: "2012-10-17", Statement: [statement("Allow", { StringEquals: { k: {} } })] },
    ];
    for (const policy of refused) {
      await expect(put(policy)).rejects.toMatchObject({
        name: "MalformedPolicy",
        $metadata: { httpStatusCode: 400 },
      });
    }
  });
});

describe("bucket policy conditions at the edge", () => {
  it("aws:SecureTransport: false under allow-all (localcloud's viewers use HTTP), true under redirect-to-https", async () => {
    await put({ Version: "2012-10-17", Statement: [statement("Allow"), denyInsecure] });
    expect((await get("/index.html")).status).toBe(403);
    expect(await get("/secure/page.html")).toEqual({ status: 200, body: "<p>over https</p>" });
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: BUCKET }));
  });

  it("evaluates the keys it knows, IAM's rules for missing keys, and refuses on keys it cannot know", async () => {
    const other = `arn:aws:cloudfront::${cloud.accountId}:distribution/EOTHER`;
    // [condition on the Allow statement, whether the distribution may read /index.html]
    const cases: [object, boolean][] = [
      [{ StringEquals: { "aws:SourceArn": distributionArn } }, true],
      [{ ArnLike: { "aws:SourceArn": "arn:aws:cloudfront::*:distribution/*" } }, true],
      [{ ArnEquals: { "aws:SourceArn": other } }, false],
      [{ ArnNotEquals: { "aws:SourceArn": other } }, true],
      [{ "ForAnyValue:StringEquals": { "aws:SourceArn": [other, distributionArn] } }, true],
      [{ StringEquals: { "aws:SourceAccount": cloud.accountId } }, true],
      [{ StringEqualsIfExists: { "aws:SourceArn": other } }, false],
      [{ Bool: { "aws:SecureTransport": "true" } }, false],
      [{ Null: { "aws:SourceArn": "false" } }, true],
      [{ Null: { "aws:SourceArn": "true" } }, false],
      // aws:SourceVpce: known absent (no VPC endpoints here).
      [{ StringEquals: { "aws:SourceVpce": "vpce-1" } }, false],
      [{ StringNotEquals: { "aws:SourceVpce": "vpce-1" } }, true],
      [{ StringEqualsIfExists: { "aws:SourceVpce": "vpce-1" } }, true],
      [{ Null: { "aws:SourceVpce": "true" } }, true],
      // A key localcloud cannot know never lets an Allow grant.
      [{ StringEquals: { "s3:x-amz-acl": "private" } }, false],
      [{ StringNotEqualsIfExists: { "s3:x-amz-acl": "public-read" } }, false],
    ];
    const outcomes = [];
    for (const [condition, _] of cases) {
      await put({ Version: "2012-10-17", Statement: [statement("Allow", condition)] });
      outcomes.push([condition, (await get("/index.html")).status === 200]);
    }
    expect(outcomes).toEqual(cases);

    // ...and lets a Deny deny; a Deny whose condition fails on known keys does not.
    const denyWhen = (condition: object) => ({
      Version: "2012-10-17",
      Statement: [statement("Allow"), statement("Deny", condition)],
    });
    await put(denyWhen({ StringEquals: { "s3:ExistingObjectTag/public": "no" } }));
    expect((await get("/index.html")).status).toBe(403);
    await put(denyWhen({ StringNotEquals: { "aws:SourceArn": distributionArn } }));
    expect((await get("/index.html")).status).toBe(200);
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: BUCKET }));
  });
});
