import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type S3TestCloud, s3Client, startS3Cloud } from "./support";

/** Debian's AWS CLI v2 (the `aws` on PATH may be another install). */
const AWS_CLI = "/usr/bin/aws";
const run = promisify(execFile);

let cloud: S3TestCloud;
let s3: S3Client;
let workDir: string;

beforeAll(async () => {
  cloud = await startS3Cloud();
  s3 = s3Client(cloud);
  workDir = mkdtempSync(join(tmpdir(), "localcloud-s3-cli-"));
});
afterAll(async () => {
  await cloud?.dispose();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

const aws = async (...args: string[]): Promise<string> => {
  const { stdout } = await run(
    AWS_CLI,
    [...args, "--endpoint-url", cloud.endpoint, "--output", "json"],
    {
      env: {
        ...process.env,
        ...cloud.env(),
        AWS_CONFIG_FILE: "/dev/null",
        AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
      },
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  return stdout;
};
const awsJson = async <T = Record<string, unknown>>(...args: string[]): Promise<T> =>
  JSON.parse(await aws(...args)) as T;

/** The S3 operations on one bucket since a point in the request log. */
const operationsSince = (since: number, bucket: string) =>
  cloud.requestLog
    .list({ sinceSeq: since, service: "s3" })
    .filter((e) => e.path === `/${bucket}` || e.path.startsWith(`/${bucket}/`))
    .map((e) => e.operation);

const md5 = (data: Buffer) => createHash("md5").update(data).digest();

// Independent buckets: the CLI runs are slow to start, so the cases run side by side.
describe.concurrent("the AWS CLI v2 against localcloud S3", () => {
  it("s3 sync twice (the second uploads nothing) / ls / cp / rm --recursive", async () => {
    const site = join(workDir, "site");
    mkdirSync(join(site, "assets"), { recursive: true });
    writeFileSync(join(site, "index.html"), "<h1>hi</h1>");
    writeFileSync(join(site, "assets", "app 1.js"), "console.log(1)");
    writeFileSync(join(site, "assets", "style.css"), "body{}");
    await s3.send(new CreateBucketCommand({ Bucket: "cli-site" }));

    let since = cloud.requestLog.lastSeq;
    await aws("s3", "sync", site, "s3://cli-site/web/");
    expect(operationsSince(since, "cli-site").filter((op) => op === "PutObject")).toHaveLength(3);
    since = cloud.requestLog.lastSeq;
    await aws("s3", "sync", site, "s3://cli-site/web/");
    const second = operationsSince(since, "cli-site");
    expect(second).toContain("ListObjectsV2");
    expect(second.filter((op) => op === "PutObject" || op === "CreateMultipartUpload")).toEqual([]);

    const top = await aws("s3", "ls", "s3://cli-site/web/");
    expect(top).toMatch(/PRE assets\//);
    expect(top).toMatch(/\s11 index\.html/);

    const html = await s3.send(new GetObjectCommand({ Bucket: "cli-site", Key: "web/index.html" }));
    expect(html.ContentType).toBe("text/html");
    expect(await html.Body?.transformToString()).toBe("<h1>hi</h1>");
    await aws("s3", "cp", "s3://cli-site/web/assets/app 1.js", join(workDir, "downloaded.js"));
    expect(readFileSync(join(workDir, "downloaded.js"), "utf8")).toBe("console.log(1)");

    await aws("s3", "rm", "--recursive", "s3://cli-site/web/");
    const left = await s3.send(new ListObjectsV2Command({ Bucket: "cli-site" }));
    expect(left.KeyCount).toBe(0);
  }, 90_000);

  it("s3 cp of a file over 8 MB uploads in parts; the ETag is the -N one computed here", async () => {
    const file = join(workDir, "big.bin");
    const data = randomBytes(9 * 1024 * 1024 + 123);
    writeFileSync(file, data);
    await s3.send(new CreateBucketCommand({ Bucket: "cli-big" }));
    const since = cloud.requestLog.lastSeq;
    await aws("s3", "cp", file, "s3://cli-big/big.bin");
    const operations = operationsSince(since, "cli-big");
    expect(operations.filter((op) => op === "UploadPart")).toHaveLength(2);
    // The CLI's default part size is 8 MiB.
    const partSize = 8 * 1024 * 1024;
    const parts = [data.subarray(0, partSize), data.subarray(partSize)];
    const expected = `"${createHash("md5")
      .update(Buffer.concat(parts.map(md5)))
      .digest("hex")}-2"`;
    const head = await awsJson<{ ETag: string; ContentLength: number }>(
      "s3api",
      "head-object",
      "--bucket",
      "cli-big",
      "--key",
      "big.bin",
    );
    expect(head).toMatchObject({ ETag: expected, ContentLength: data.length });
    const got = await s3.send(new GetObjectCommand({ Bucket: "cli-big", Key: "big.bin" }));
    expect(md5(Buffer.from((await got.Body?.transformToByteArray()) ?? []))).toEqual(md5(data));
  }, 90_000);

  it("s3 mb, s3api put-object / head-object / copy-object / list-objects-v2 pages / delete-objects", async () => {
    const body = join(workDir, "body.txt");
    writeFileSync(body, "payload");
    await aws("s3", "mb", "s3://cli-api");
    const put = await awsJson<{ ETag: string }>(
      "s3api",
      "put-object",
      "--bucket",
      "cli-api",
      "--key",
      "docs/one.html",
      "--body",
      body,
      "--content-type",
      "text/html",
      "--cache-control",
      "no-cache",
      "--metadata",
      "sha256=abc",
    );
    expect(put.ETag).toBe(`"${md5(Buffer.from("payload")).toString("hex")}"`);
    const head = await awsJson(
      "s3api",
      "head-object",
      "--bucket",
      "cli-api",
      "--key",
      "docs/one.html",
    );
    expect(head).toMatchObject({
      ContentType: "text/html",
      CacheControl: "no-cache",
      Metadata: { sha256: "abc" },
      ContentLength: 7,
    });
    const copy = await awsJson<{ CopyObjectResult: { ETag: string } }>(
      "s3api",
      "copy-object",
      "--bucket",
      "cli-api",
      "--key",
      "docs/two.html",
      "--copy-source",
      "cli-api/docs/one.html",
      "--metadata-directive",
      "REPLACE",
      "--content-type",
      "text/plain",
    );
    expect(copy.CopyObjectResult.ETag).toBe(put.ETag);
    const copied = await s3.send(
      new HeadObjectCommand({ Bucket: "cli-api", Key: "docs/two.html" }),
    );
    expect(copied).toMatchObject({ ContentType: "text/plain", Metadata: {} });

    for (const key of ["docs/three", "docs/four", "docs/five"]) {
      await s3.send(new GetObjectCommand({ Bucket: "cli-api", Key: "docs/one.html" }));
      await aws(
        "s3api",
        "copy-object",
        "--bucket",
        "cli-api",
        "--key",
        key,
        "--copy-source",
        "cli-api/docs/one.html",
      );
    }
    const since = cloud.requestLog.lastSeq;
    const firstPage = await awsJson<{ Contents: Array<{ Key: string }>; NextToken: string }>(
      "s3api",
      "list-objects-v2",
      "--bucket",
      "cli-api",
      "--prefix",
      "docs/",
      "--max-items",
      "3",
      "--page-size",
      "2",
    );
    expect(firstPage.Contents.map((c) => c.Key)).toEqual([
      "docs/five",
      "docs/four",
      "docs/one.html",
    ]);
    expect(operationsSince(since, "cli-api")).toEqual(["ListObjectsV2", "ListObjectsV2"]);
    const secondPage = await awsJson<{ Contents: Array<{ Key: string }>; NextToken?: string }>(
      "s3api",
      "list-objects-v2",
      "--bucket",
      "cli-api",
      "--prefix",
      "docs/",
      "--max-items",
      "3",
      "--page-size",
      "2",
      "--starting-token",
      firstPage.NextToken,
    );
    expect(secondPage.Contents.map((c) => c.Key)).toEqual(["docs/three", "docs/two.html"]);
    expect(secondPage.NextToken).toBeUndefined();

    const deleted = await awsJson<{ Deleted: Array<{ Key: string }> }>(
      "s3api",
      "delete-objects",
      "--bucket",
      "cli-api",
      "--delete",
      JSON.stringify({
        Objects: [{ Key: "docs/three" }, { Key: "docs/four" }, { Key: "docs/missing" }],
      }),
    );
    expect(deleted.Deleted.map((d) => d.Key).sort()).toEqual([
      "docs/four",
      "docs/missing",
      "docs/three",
    ]);
    const left = await s3.send(new ListObjectsV2Command({ Bucket: "cli-api" }));
    expect(left.Contents?.map((c) => c.Key)).toEqual([
      "docs/five",
      "docs/one.html",
      "docs/two.html",
    ]);
  }, 90_000);
});
