import { createHash } from "node:crypto";
import { Agent } from "node:http";
import { Readable } from "node:stream";
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
import { type S3TestCloud, s3Client, startS3Cloud, uniqueBucket } from "./support";

let cloud: S3TestCloud;
let s3: S3Client;

beforeAll(async () => {
  cloud = await startS3Cloud();
  s3 = s3Client(cloud);
});
afterAll(async () => {
  await cloud?.dispose();
});

const md5 = (body: string | Buffer) => `"${createHash("md5").update(body).digest("hex")}"`;
const sha256 = (body: string | Buffer) => createHash("sha256").update(body).digest("base64");

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
    const deleted = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "k" }));
    expect(deleted.$metadata.httpStatusCode).toBe(204);
    // Deleting a key that is not there is a success too, as in S3.
    const again = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "k" }));
    expect(again.$metadata.httpStatusCode).toBe(204);
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

  it("refuses a key over 1,024 bytes and a bucket owner that is not this account", async () => {
    await expect(
      s3.send(new PutObjectCommand({ Bucket: bucket, Key: "k".repeat(1025), Body: "x" })),
    ).rejects.toMatchObject({ name: "KeyTooLongError" });
    await expect(
      s3.send(new PutObjectCommand({ Bucket: bucket, Key: "k".repeat(1024), Body: "x" })),
    ).resolves.toBeDefined();
    await expect(
      s3.send(new HeadBucketCommand({ Bucket: bucket, ExpectedBucketOwner: "111111111111" })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    await expect(
      s3.send(new HeadBucketCommand({ Bucket: bucket, ExpectedBucketOwner: cloud.accountId })),
    ).resolves.toBeDefined();
  });

  it("answers NoSuchKey with the key", async () => {
    await expect(
      s3.send(new GetObjectCommand({ Bucket: bucket, Key: "nope" })),
    ).rejects.toMatchObject({ name: "NoSuchKey", Key: "nope", $metadata: { httpStatusCode: 404 } });
  });
});

describe("reads", () => {
  const bucket = uniqueBucket("reads");
  const body = "0123456789abcdefghij";
  let etag = "";
  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    etag =
      (await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "r", Body: body }))).ETag ?? "";
  });

  it("serves byte ranges with 206 and Content-Range, and refuses one past the end", async () => {
    const first = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: "r", Range: "bytes=2-5" }),
    );
    expect(first.$metadata.httpStatusCode).toBe(206);
    expect(first.ContentRange).toBe(`bytes 2-5/${body.length}`);
    expect(await first.Body?.transformToString()).toBe("2345");
    const suffix = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: "r", Range: "bytes=-3" }),
    );
    expect(await suffix.Body?.transformToString()).toBe("hij");
    const open = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: "r", Range: "bytes=18-" }),
    );
    expect(await open.Body?.transformToString()).toBe("ij");
    await expect(
      s3.send(new GetObjectCommand({ Bucket: bucket, Key: "r", Range: "bytes=50-60" })),
    ).rejects.toMatchObject({ name: "InvalidRange", $metadata: { httpStatusCode: 416 } });
  });

  it("answers conditional GETs: If-None-Match 304, If-Match 412, If-Modified-Since 304", async () => {
    await expect(
      s3.send(new GetObjectCommand({ Bucket: bucket, Key: "r", IfNoneMatch: etag })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 304 } });
    const changed = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: "r", IfNoneMatch: '"other"' }),
    );
    expect(await changed.Body?.transformToString()).toBe(body);
    await expect(
      s3.send(new GetObjectCommand({ Bucket: bucket, Key: "r", IfMatch: '"other"' })),
    ).rejects.toMatchObject({ name: "PreconditionFailed", Condition: "If-Match" });
    const matched = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: "r", IfMatch: etag }),
    );
    expect(matched.ETag).toBe(etag);
    await expect(
      s3.send(
        new HeadObjectCommand({
          Bucket: bucket,
          Key: "r",
          IfModifiedSince: new Date(Date.now() + 60_000),
        }),
      ),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 304 } });
    const old = await s3.send(
      new HeadObjectCommand({
        Bucket: bucket,
        Key: "r",
        IfModifiedSince: new Date(Date.now() - 3_600_000),
      }),
    );
    expect(old.ETag).toBe(etag);
  });

  it("returns the stored CRC32 checksum the SDK sent, which the SDK validates on GET", async () => {
    const since = cloud.requestLog.lastSeq;
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "sum", Body: body }));
    expect(put.ChecksumCRC32).toBeDefined();
    const got = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: "sum", ChecksumMode: "ENABLED" }),
    );
    expect(got.ChecksumCRC32).toBe(put.ChecksumCRC32);
    expect(await got.Body?.transformToString()).toBe(body);
    expect(cloud.requestLog.list({ sinceSeq: since }).map((e) => e.status)).toEqual([200, 200]);
  });

  it("refuses a body whose checksum does not match (BadDigest)", async () => {
    await expect(
      s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: "bad", Body: body, ChecksumCRC32: "AAAAAA==" }),
      ),
    ).rejects.toMatchObject({ name: "BadDigest" });
    await expect(
      s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: "bad",
          Body: body,
          ChecksumSHA256: sha256("x"),
        }),
      ),
    ).rejects.toMatchObject({ name: "BadDigest" });
    const ok = await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: "sha",
        Body: body,
        ChecksumSHA256: sha256(body),
      }),
    );
    expect(ok.ChecksumSHA256).toBe(sha256(body));
    const crc32c = await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: "crc32c",
        Body: body,
        ChecksumAlgorithm: "CRC32C",
      }),
    );
    expect(crc32c.ChecksumCRC32C).toBeDefined();
  });

  it("decodes an aws-chunked streaming upload with a trailing checksum", async () => {
    const parts = [Buffer.alloc(70_000, "a"), Buffer.alloc(3, "b"), Buffer.alloc(100_000, "c")];
    const whole = Buffer.concat(parts);
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: "streamed",
        Body: Readable.from(parts),
        ContentLength: whole.length,
        ContentEncoding: "gzip",
      }),
    );
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "streamed" }));
    expect(Buffer.from((await got.Body?.transformToByteArray()) ?? [])).toEqual(whole);
    expect(got.ETag).toBe(md5(whole));
    expect(got.ContentEncoding).toBe("gzip");
  });
});

describe("virtual-hosted style", () => {
  it("addresses the bucket from the Host header", async () => {
    const bucket = uniqueBucket("vhost");
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const port = new URL(cloud.endpoint).port;
    // `<bucket>.localhost` must reach loopback whatever the resolver says about sub-domains.
    const agent = new Agent({
      keepAlive: true,
      lookup: ((
        _host: string,
        options: { all?: boolean },
        callback: (...args: unknown[]) => void,
      ) =>
        options.all
          ? callback(null, [{ address: "127.0.0.1", family: 4 }])
          : callback(null, "127.0.0.1", 4)) as never,
    });
    const virtual = s3Client(cloud, {
      endpoint: `http://localhost:${port}`,
      forcePathStyle: false,
      requestHandler: { httpAgent: agent },
    });
    const since = cloud.requestLog.lastSeq;
    await virtual.send(new PutObjectCommand({ Bucket: bucket, Key: "v/key.txt", Body: "virtual" }));
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "v/key.txt" }));
    expect(await got.Body?.transformToString()).toBe("virtual");
    const [put] = cloud.requestLog.list({ sinceSeq: since });
    expect(put).toMatchObject({ operation: "PutObject", path: "/v/key.txt", status: 200 });
    agent.destroy();
  });
});

describe("S3's clock", () => {
  it("moved forward by a test: answers' Date and new objects' LastModified follow, older objects keep theirs", async () => {
    const client = s3Client(cloud);
    const dates: number[] = [];
    client.middlewareStack.add(
      (next) => async (args) => {
        const out = await next(args);
        const headers = (out.response as { headers: Record<string, string> }).headers;
        dates.push(Date.parse(headers.date ?? ""));
        return out;
      },
      { step: "deserialize", name: "answerDate" },
    );
    const bucket = uniqueBucket("clock");
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: "old", Body: "a" }));
    const hour = 3_600_000;
    cloud.service<S3Service>("s3").advanceClock(hour);
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: "new", Body: "b" }));
    const old = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: "old" }));
    const answeredAt = dates.at(-1) ?? 0;
    const fresh = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: "new" }));
    const now = Date.now();
    // HTTP dates have whole seconds; the test's own steps take well under a minute.
    expect(Math.abs(answeredAt - (now + hour))).toBeLessThan(60_000);
    expect(Math.abs((old.LastModified?.getTime() ?? 0) - now)).toBeLessThan(60_000);
    expect(Math.abs((fresh.LastModified?.getTime() ?? 0) - (now + hour))).toBeLessThan(60_000);
    // By S3's clock the object written before is an hour old.
    expect(answeredAt - (old.LastModified?.getTime() ?? 0)).toBeGreaterThanOrEqual(hour - 2_000);
  });
});
