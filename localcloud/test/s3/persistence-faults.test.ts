import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { afterAll, describe, expect, it } from "vitest";
import { s3Client, startS3Cloud } from "./support";

const stateDir = mkdtempSync(join(tmpdir(), "localcloud-s3-persist-"));
afterAll(() => {
  rmSync(stateDir, { recursive: true, force: true });
});

describe("persistence", () => {
  it("keeps buckets, objects, headers and open uploads across a stop and start", async () => {
    const large = Buffer.alloc(200_000, 7);
    const first = await startS3Cloud({ stateDir });
    let uploadId = "";
    let etags: string[] = [];
    try {
      const s3 = s3Client(first);
      await s3.send(new CreateBucketCommand({ Bucket: "kept" }));
      await s3.send(
        new PutObjectCommand({
          Bucket: "kept",
          Key: "small.txt",
          Body: "tiny",
          CacheControl: "no-cache",
        }),
      );
      await s3.send(new PutObjectCommand({ Bucket: "kept", Key: "large.bin", Body: large }));
      await s3.send(new PutObjectCommand({ Bucket: "kept", Key: "gone.txt", Body: "x" }));
      await s3.send(new PutObjectCommand({ Bucket: "kept", Key: "gone.txt", Body: "overwritten" }));
      uploadId =
        (await s3.send(new CreateMultipartUploadCommand({ Bucket: "kept", Key: "later.bin" })))
          .UploadId ?? "";
      etags = [
        (
          await s3.send(
            new UploadPartCommand({
              Bucket: "kept",
              Key: "later.bin",
              UploadId: uploadId,
              PartNumber: 1,
              Body: large,
            }),
          )
        ).ETag ?? "",
      ];
    } finally {
      await first.dispose();
    }

    const second = await startS3Cloud({ stateDir });
    try {
      const s3 = s3Client(second);
      expect((await s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toEqual([
        "kept",
      ]);
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: "kept" }));
      expect(listed.Contents?.map((c) => [c.Key, c.Size])).toEqual([
        ["gone.txt", 11],
        ["large.bin", large.length],
        ["small.txt", 4],
      ]);
      const small = await s3.send(new GetObjectCommand({ Bucket: "kept", Key: "small.txt" }));
      expect(await small.Body?.transformToString()).toBe("tiny");
      expect(small.CacheControl).toBe("no-cache");
      const big = await s3.send(new GetObjectCommand({ Bucket: "kept", Key: "large.bin" }));
      expect(Buffer.from((await big.Body?.transformToByteArray()) ?? [])).toEqual(large);
      const parts = await s3.send(
        new ListPartsCommand({ Bucket: "kept", Key: "later.bin", UploadId: uploadId }),
      );
      expect(parts.Parts?.map((p) => p.ETag)).toEqual(etags);
      await s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: "kept",
          Key: "later.bin",
          UploadId: uploadId,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: etags[0] }] },
        }),
      );
      const head = await s3.send(new HeadObjectCommand({ Bucket: "kept", Key: "later.bin" }));
      expect(head.ContentLength).toBe(large.length);
    } finally {
      await second.dispose();
    }
  });
});

describe("faults", () => {
  it("answers an injected throttle with SlowDown 503, which the SDK retries and recovers from", async () => {
    const cloud = await startS3Cloud();
    try {
      const s3 = s3Client(cloud, { maxAttempts: 4 });
      await s3.send(new CreateBucketCommand({ Bucket: "throttled" }));
      cloud.faults.add({ service: "s3", operation: "PutObject", kind: "throttle", count: 2 });
      const since = cloud.requestLog.lastSeq;
      const put = await s3.send(
        new PutObjectCommand({ Bucket: "throttled", Key: "k", Body: "survived" }),
      );
      expect(put.ETag).toBeDefined();
      const calls = cloud.requestLog.list({ sinceSeq: since, service: "s3" });
      expect(calls.map((c) => [c.operation, c.status, c.errorCode])).toEqual([
        ["PutObject", 503, "SlowDown"],
        ["PutObject", 503, "SlowDown"],
        ["PutObject", 200, undefined],
      ]);
      const got = await s3.send(new GetObjectCommand({ Bucket: "throttled", Key: "k" }));
      expect(await got.Body?.transformToString()).toBe("survived");

      cloud.faults.add({ service: "s3", operation: "GetObject", kind: "throttle", count: 1 });
      await expect(
        s3Client(cloud, { maxAttempts: 1 }).send(
          new GetObjectCommand({ Bucket: "throttled", Key: "k" }),
        ),
      ).rejects.toMatchObject({ name: "SlowDown", $metadata: { httpStatusCode: 503 } });
    } finally {
      await cloud.dispose();
    }
  });
});
