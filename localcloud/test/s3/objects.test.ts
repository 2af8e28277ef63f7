import { createHash } from "node:crypto";
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { S3Service } from "../../src/services/s3";
import { startTestCloud } from "../helpers/cloud";
import { s3Client, uniqueBucket } from "./support";

let cloud: Awaited<ReturnType<typeof startTestCloud>>;
let s3: S3Client;

beforeAll(async () => {
  cloud = await startTestCloud();
  s3 = s3Client(cloud);
});
afterAll(async () => {
  await cloud?.dispose();
});

const md5 = (body: string | Buffer) => `"${createHash("md5").update(body).digest("hex")}"`;

describe("buckets", () => {
  it("creates, lists, heads and deletes a bucket; a missing one is NoSuchBucket", async () => {
    const bucket = uniqueBucket("buckets");
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const listed = await s3.send(new ListBucketsCommand({}));
    expect(listed.Buckets?.map((b) => b.Name)).toContain(bucket);
    await expect(s3.send(new HeadBucketCommand({ Bucket: bucket }))).resolves.toBeDefined();
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: "x" }));
    await expect(s3.send(new DeleteBucketCommand({ Bucket: bucket }))).rejects.toMatchObject({
      name: "BucketNotEmpty",
      $metadata: { httpStatusCode: 409 },
    });
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "k" }));
    await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
    await expect(s3.send(new HeadBucketCommand({ Bucket: bucket }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });
    await expect(s3.send(new GetObjectCommand({ Bucket: bucket, Key: "k" }))).rejects.toMatchObject(
      { name: "NoSuchBucket", BucketName: bucket },
    );
  });
});

describe("objects", () => {
  const bucket = uniqueBucket("objects");
  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });

  it("stores a body with its headers and metadata, and returns them on GET and HEAD", async () => {
    const body = "hello, localcloud";
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: "dir/hello world+.txt",
        Body: body,
        ContentType: "text/plain; charset=utf-8",
        CacheControl: "no-cache",
        ContentEncoding: "identity",
        ContentDisposition: "inline",
        Metadata: { release: "r1" },
      }),
    );
    expect(put.ETag).toBe(md5(body));
    const got = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: "dir/hello world+.txt" }),
    );
    expect(await got.Body?.transformToString()).toBe(body);
    expect(got).toMatchObject({
      ETag: md5(body),
      ContentType: "text/plain; charset=utf-8",
      CacheControl: "no-cache",
      ContentEncoding: "identity",
      ContentDisposition: "inline",
      ContentLength: body.length,
      Metadata: { release: "r1" },
    });
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: bucket, Key: "dir/hello world+.txt" }),
    );
    expect(head.ContentLength).toBe(body.length);
    expect(head.LastModified?.getTime()).toBeGreaterThan(Date.now() - 60_000);

    const stored = await cloud.service<S3Service>("s3").readObject(bucket, "dir/hello world+.txt");
    expect(stored?.body.toString()).toBe(body);
    expect(stored).toMatchObject({ etag: md5(body), cacheControl: "no-cache", size: body.length });
    expect(await cloud.service<S3Service>("s3").readObject(bucket, "missing")).toBeUndefined();
  });

  it("answers NoSuchKey with the key", async () => {
    await expect(
      s3.send(new GetObjectCommand({ Bucket: bucket, Key: "nope" })),
    ).rejects.toMatchObject({ name: "NoSuchKey", Key: "nope", $metadata: { httpStatusCode: 404 } });
  });
});
