import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type S3TestCloud, s3Client, startS3Cloud, uniqueBucket } from "./support";

let cloud: S3TestCloud;
let s3: S3Client;
const bucket = uniqueBucket("conditional");

beforeAll(async () => {
  cloud = await startS3Cloud();
  s3 = s3Client(cloud);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
});
afterAll(async () => {
  await cloud?.dispose();
});

const read = async (key: string) =>
  (await s3
    .send(new GetObjectCommand({ Bucket: bucket, Key: key }))
    .then((r) => r.Body?.transformToString())) ?? "";

describe("conditional writes", () => {
  it("If-None-Match: * creates a key once, then answers 412 PreconditionFailed", async () => {
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: "lock", Body: "first", IfNoneMatch: "*" }),
    );
    await expect(
      s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: "lock", Body: "second", IfNoneMatch: "*" }),
      ),
    ).rejects.toMatchObject({
      name: "PreconditionFailed",
      Condition: "If-None-Match",
      $metadata: { httpStatusCode: 412 },
    });
    expect(await read("lock")).toBe("first");
  });

  it("If-Match replaces only the version it names; a missing key is NoSuchKey", async () => {
    const first = await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: "pointer", Body: "r1" }),
    );
    const second = await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: "pointer", Body: "r2", IfMatch: first.ETag }),
    );
    expect(second.ETag).not.toBe(first.ETag);
    await expect(
      s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: "pointer", Body: "r3", IfMatch: first.ETag }),
      ),
    ).rejects.toMatchObject({ name: "PreconditionFailed", $metadata: { httpStatusCode: 412 } });
    expect(await read("pointer")).toBe("r2");
    await expect(
      s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: "never-written",
          Body: "x",
          IfMatch: first.ETag,
        }),
      ),
    ).rejects.toMatchObject({ name: "NoSuchKey", $metadata: { httpStatusCode: 404 } });
  });

  it("a conditional delete removes only the named version", async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "held", Body: "mine" }));
    await expect(
      s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "held", IfMatch: '"0123"' })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 412 } });
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "held", IfMatch: put.ETag }));
    await expect(read("held")).rejects.toMatchObject({ name: "NoSuchKey" });
  });

  it("of two concurrent If-None-Match: * PUTs of one key exactly one wins, 1,000 times", async () => {
    const trials = 1000;
    const inFlight = 25;
    const outcomes: Array<{ wins: number; losses: number; other: string[] }> = [];
    const attempt = async (key: string, body: string) => {
      try {
        await s3.send(
          new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, IfNoneMatch: "*" }),
        );
        return "won";
      } catch (error) {
        const name = (error as { name?: string }).name ?? "unknown";
        return name === "PreconditionFailed" ? "lost" : name;
      }
    };
    let next = 0;
    const worker = async () => {
      while (next < trials) {
        const key = `race/${next++}`;
        const results = await Promise.all([attempt(key, "a"), attempt(key, "b")]);
        outcomes.push({
          wins: results.filter((r) => r === "won").length,
          losses: results.filter((r) => r === "lost").length,
          other: results.filter((r) => r !== "won" && r !== "lost"),
        });
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
    expect(outcomes).toHaveLength(trials);
    expect(outcomes.filter((o) => o.wins !== 1 || o.losses !== 1)).toEqual([]);
  }, 90_000);
});
