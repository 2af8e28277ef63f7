import { createHash } from "node:crypto";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListPartsCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type S3TestCloud, s3Client, startS3Cloud, uniqueBucket } from "./support";

let cloud: S3TestCloud;
let s3: S3Client;
const bucket = uniqueBucket("multipart");
const MiB = 1024 * 1024;

beforeAll(async () => {
  cloud = await startS3Cloud();
  s3 = s3Client(cloud);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
});
afterAll(async () => {
  await cloud?.dispose();
});

/** The multipart ETag computed independently: MD5 of the parts' binary MD5s, then `-N`. */
const expectedEtag = (parts: Buffer[]) => {
  const digests = parts.map((part) => createHash("md5").update(part).digest());
  return `"${createHash("md5").update(Buffer.concat(digests)).digest("hex")}-${parts.length}"`;
};

const start = async (key: string, extra: Record<string, unknown> = {}) =>
  (await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ...extra })))
    .UploadId ?? "";

const upload = async (key: string, uploadId: string, partNumber: number, body: Buffer) =>
  (
    await s3.send(
      new UploadPartCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        PartNumber: partNumber,
        Body: body,
      }),
    )
  ).ETag ?? "";

describe("multipart uploads", () => {
  it("assembles parts into one object with the -N ETag and the upload's headers", async () => {
    const parts = [Buffer.alloc(5 * MiB, 1), Buffer.alloc(5 * MiB, 2), Buffer.from("tail")];
    const uploadId = await start("big.bin", {
      ContentType: "application/x-test",
      Metadata: { origin: "mpu" },
    });
    const etags = [];
    for (const [index, part] of parts.entries())
      etags.push(await upload("big.bin", uploadId, index + 1, part));
    const listed = await s3.send(
      new ListPartsCommand({ Bucket: bucket, Key: "big.bin", UploadId: uploadId }),
    );
    expect(listed.Parts?.map((p) => [p.PartNumber, p.Size])).toEqual([
      [1, 5 * MiB],
      [2, 5 * MiB],
      [3, 4],
    ]);
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: "big.bin",
        UploadId: uploadId,
        MultipartUpload: { Parts: etags.map((ETag, index) => ({ ETag, PartNumber: index + 1 })) },
      }),
    );
    expect(done.ETag).toBe(expectedEtag(parts));
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "big.bin" }));
    expect(head).toMatchObject({
      ETag: expectedEtag(parts),
      ContentLength: 10 * MiB + 4,
      ContentType: "application/x-test",
      Metadata: { origin: "mpu" },
    });
    const tail = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: "big.bin", Range: `bytes=${10 * MiB - 1}-` }),
    );
    expect(Buffer.from((await tail.Body?.transformToByteArray()) ?? [])).toEqual(
      Buffer.concat([Buffer.from([2]), Buffer.from("tail")]),
    );
    await expect(
      s3.send(new ListPartsCommand({ Bucket: bucket, Key: "big.bin", UploadId: uploadId })),
    ).rejects.toMatchObject({ name: "NoSuchUpload" });
  });

  it("refuses a wrong part ETag, parts out of order, and a small part that is not the last", async () => {
    const uploadId = await start("checked");
    const first = await upload("checked", uploadId, 1, Buffer.alloc(1024, 1));
    const second = await upload("checked", uploadId, 2, Buffer.alloc(1024, 2));
    const complete = (Parts: Array<{ ETag: string; PartNumber: number }>) =>
      s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: "checked",
          UploadId: uploadId,
          MultipartUpload: { Parts },
        }),
      );
    await expect(complete([{ ETag: '"0000"', PartNumber: 1 }])).rejects.toMatchObject({
      name: "InvalidPart",
    });
    await expect(complete([{ ETag: first, PartNumber: 3 }])).rejects.toMatchObject({
      name: "InvalidPart",
    });
    await expect(
      complete([
        { ETag: second, PartNumber: 2 },
        { ETag: first, PartNumber: 1 },
      ]),
    ).rejects.toMatchObject({ name: "InvalidPartOrder" });
    await expect(
      complete([
        { ETag: first, PartNumber: 1 },
        { ETag: second, PartNumber: 2 },
      ]),
    ).rejects.toMatchObject({ name: "EntityTooSmall", $metadata: { httpStatusCode: 400 } });
    // A single small part is allowed: it is the last one.
    const done = await complete([{ ETag: first, PartNumber: 1 }]);
    expect(done.ETag).toBe(expectedEtag([Buffer.alloc(1024, 1)]));
  });

  it("aborts an upload, after which its parts are gone", async () => {
    const uploadId = await start("aborted");
    await upload("aborted", uploadId, 1, Buffer.from("x"));
    await s3.send(
      new AbortMultipartUploadCommand({ Bucket: bucket, Key: "aborted", UploadId: uploadId }),
    );
    await expect(upload("aborted", uploadId, 2, Buffer.from("y"))).rejects.toMatchObject({
      name: "NoSuchUpload",
      $metadata: { httpStatusCode: 404 },
    });
    await expect(
      s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "aborted" })),
    ).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });
  });

  it("completes conditionally: If-None-Match: * fails when the key appeared meanwhile", async () => {
    const uploadId = await start("cond");
    const etag = await upload("cond", uploadId, 1, Buffer.from("late"));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "cond", Body: "early" }));
    await expect(
      s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: "cond",
          UploadId: uploadId,
          IfNoneMatch: "*",
          MultipartUpload: { Parts: [{ ETag: etag, PartNumber: 1 }] },
        }),
      ),
    ).rejects.toMatchObject({ name: "PreconditionFailed", $metadata: { httpStatusCode: 412 } });
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "cond" }));
    expect(await got.Body?.transformToString()).toBe("early");
  });

  it("computes a composite checksum when the upload asked for one", async () => {
    const uploadId = await start("summed", { ChecksumAlgorithm: "CRC32" });
    const part = await s3.send(
      new UploadPartCommand({
        Bucket: bucket,
        Key: "summed",
        UploadId: uploadId,
        PartNumber: 1,
        Body: Buffer.from("abc"),
        ChecksumAlgorithm: "CRC32",
      }),
    );
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: "summed",
        UploadId: uploadId,
        MultipartUpload: {
          Parts: [{ ETag: part.ETag, PartNumber: 1, ChecksumCRC32: part.ChecksumCRC32 }],
        },
      }),
    );
    expect(done.ChecksumCRC32).toMatch(/-1$/);
    const got = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: "summed", ChecksumMode: "ENABLED" }),
    );
    expect(await got.Body?.transformToString()).toBe("abc");
  });

  it("copies parts from an existing object by byte range (UploadPartCopy)", async () => {
    const source = Buffer.concat([Buffer.alloc(5 * MiB, 4), Buffer.from("end")]);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "copy-src", Body: source }));
    const uploadId = await start("copy-dst");
    const ranges = [`bytes=0-${5 * MiB - 1}`, `bytes=${5 * MiB}-${5 * MiB + 2}`];
    const etags: string[] = [];
    for (const [index, range] of ranges.entries()) {
      const copied = await s3.send(
        new UploadPartCopyCommand({
          Bucket: bucket,
          Key: "copy-dst",
          UploadId: uploadId,
          PartNumber: index + 1,
          CopySource: `${bucket}/copy-src`,
          CopySourceRange: range,
        }),
      );
      etags.push(copied.CopyPartResult?.ETag ?? "");
    }
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: "copy-dst",
        UploadId: uploadId,
        MultipartUpload: { Parts: etags.map((ETag, index) => ({ ETag, PartNumber: index + 1 })) },
      }),
    );
    expect(done.ETag).toBe(expectedEtag([source.subarray(0, 5 * MiB), source.subarray(5 * MiB)]));
    const got = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: "copy-dst", Range: "bytes=-3" }),
    );
    expect(await got.Body?.transformToString()).toBe("end");
  });
});
