import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listPage } from "../../src/services/s3/listing";
import { ObjectStore } from "../../src/services/s3/store";
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

const putAll = async (bucket: string, keys: string[]) => {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await Promise.all(
    keys.map((Key) => s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: Key }))),
  );
};

describe("ListObjectsV2", () => {
  const bucket = uniqueBucket("list");
  const keys = [
    "a.txt",
    "assets/app.1.js",
    "assets/app.2.js",
    "assets/img/logo.png",
    "index.html",
    "releases/r1.json",
    "releases/r2.json",
    "z z+.txt",
  ];
  beforeAll(async () => {
    await putAll(bucket, keys);
  });

  it("lists keys in order with sizes and ETags, and filters by prefix", async () => {
    const all = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect(all.Contents?.map((c) => c.Key)).toEqual(keys);
    expect(all).toMatchObject({ KeyCount: keys.length, IsTruncated: false, MaxKeys: 1000 });
    expect(all.Contents?.[0]).toMatchObject({ Size: 5, StorageClass: "STANDARD" });
    const assets = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "assets/" }));
    expect(assets.Contents?.map((c) => c.Key)).toEqual([
      "assets/app.1.js",
      "assets/app.2.js",
      "assets/img/logo.png",
    ]);
  });

  it("rolls keys up into CommonPrefixes with a delimiter", async () => {
    const top = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: "/" }));
    expect(top.Contents?.map((c) => c.Key)).toEqual(["a.txt", "index.html", "z z+.txt"]);
    expect(top.CommonPrefixes?.map((p) => p.Prefix)).toEqual(["assets/", "releases/"]);
    expect(top.KeyCount).toBe(5);
    const nested = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Delimiter: "/", Prefix: "assets/" }),
    );
    expect(nested.CommonPrefixes?.map((p) => p.Prefix)).toEqual(["assets/img/"]);
  });

  it("pages with max-keys and continuation tokens, common prefixes counting once", async () => {
    const pages: ListObjectsV2CommandOutput[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Delimiter: "/",
          MaxKeys: 2,
          ContinuationToken: token,
        }),
      );
      pages.push(page);
      token = page.NextContinuationToken;
    } while (token);
    expect(
      pages.map((p) => [
        ...(p.Contents ?? []).map((c) => c.Key),
        ...(p.CommonPrefixes ?? []).map((c) => c.Prefix),
      ]),
    ).toEqual([["a.txt", "assets/"], ["index.html", "releases/"], ["z z+.txt"]]);
    expect(pages.map((p) => p.IsTruncated)).toEqual([true, true, false]);
    const after = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, StartAfter: "index.html" }),
    );
    expect(after.Contents?.map((c) => c.Key)).toEqual([
      "releases/r1.json",
      "releases/r2.json",
      "z z+.txt",
    ]);
  });

  it("encodes keys when asked for encoding-type=url (the SDK decodes them)", async () => {
    const encoded = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: "z", EncodingType: "url" }),
    );
    expect(encoded.Contents?.map((c) => c.Key)).toEqual(["z%20z%2B.txt"]);
  });

  it("also answers ListObjects v1 with markers", async () => {
    const first = await s3.send(new ListObjectsCommand({ Bucket: bucket, MaxKeys: 3 }));
    expect(first.Contents?.map((c) => c.Key)).toEqual(keys.slice(0, 3));
    expect(first.IsTruncated).toBe(true);
    const rest = await s3.send(
      new ListObjectsCommand({ Bucket: bucket, Marker: "assets/app.2.js" }),
    );
    expect(rest.Contents?.map((c) => c.Key)).toEqual(keys.slice(3));
  });
});

describe("listPage", () => {
  it("skips every key under a common prefix a previous page ended on", () => {
    const sorted = ["a/1", "a/2", "a/3", "b", "c/1"];
    expect(listPage(sorted, { prefix: "", delimiter: "/", maxKeys: 1, after: "a/" })).toEqual({
      keys: ["b"],
      commonPrefixes: [],
      isTruncated: true,
      last: "b",
    });
    expect(listPage(sorted, { prefix: "a/", maxKeys: 10, after: "a/1" }).keys).toEqual([
      "a/2",
      "a/3",
    ]);
    expect(listPage(sorted, { prefix: "c", maxKeys: 10, after: "a" }).keys).toEqual(["c/1"]);
  });
});

describe("CopyObject", () => {
  const bucket = uniqueBucket("copy");
  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: "src file.html",
        Body: "<p>hi</p>",
        ContentType: "text/html",
        CacheControl: "max-age=60",
        Metadata: { sha256: "abc" },
      }),
    );
  });

  it("copies body and headers (COPY) with the result's ETag and LastModified", async () => {
    const copied = await s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: "dst.html",
        CopySource: `${bucket}/${encodeURIComponent("src file.html")}`,
      }),
    );
    const source = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "src file.html" }));
    expect(copied.CopyObjectResult?.ETag).toBe(source.ETag);
    expect(copied.CopyObjectResult?.LastModified).toBeInstanceOf(Date);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "dst.html" }));
    expect(head).toMatchObject({
      ContentType: "text/html",
      CacheControl: "max-age=60",
      Metadata: { sha256: "abc" },
    });
  });

  it("replaces headers with REPLACE, and refuses a no-op copy onto itself", async () => {
    await s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: "src file.html",
        CopySource: `/${bucket}/src%20file.html`,
        MetadataDirective: "REPLACE",
        ContentType: "text/html; charset=utf-8",
        CacheControl: "no-cache",
        Metadata: { sha256: "def" },
      }),
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "src file.html" }));
    expect(head).toMatchObject({
      ContentType: "text/html; charset=utf-8",
      CacheControl: "no-cache",
      Metadata: { sha256: "def" },
    });
    const body = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "src file.html" }));
    expect(await body.Body?.transformToString()).toBe("<p>hi</p>");
    await expect(
      s3.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: "src file.html",
          CopySource: `${bucket}/src%20file.html`,
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidRequest" });
  });

  it("answers NoSuchKey for a missing source and 412 for a failed source condition", async () => {
    await expect(
      s3.send(new CopyObjectCommand({ Bucket: bucket, Key: "x", CopySource: `${bucket}/missing` })),
    ).rejects.toMatchObject({ name: "NoSuchKey" });
    await expect(
      s3.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: "x",
          CopySource: `${bucket}/dst.html`,
          CopySourceIfMatch: '"nope"',
        }),
      ),
    ).rejects.toMatchObject({ name: "PreconditionFailed", $metadata: { httpStatusCode: 412 } });
  });
});

describe("DeleteObjects", () => {
  it("deletes many keys, reports each, and stays quiet when asked", async () => {
    const bucket = uniqueBucket("delete");
    await putAll(bucket, ["a", "b", "c", "d"]);
    const verbose = await s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: [{ Key: "a" }, { Key: "missing" }] },
      }),
    );
    expect(verbose.Deleted?.map((d) => d.Key).sort()).toEqual(["a", "missing"]);
    expect(verbose.Errors ?? []).toEqual([]);
    const quiet = await s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Quiet: true, Objects: [{ Key: "b" }, { Key: "c" }] },
      }),
    );
    expect(quiet.Deleted ?? []).toEqual([]);
    const left = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect(left.Contents?.map((c) => c.Key)).toEqual(["d"]);
  });

  it("reports a per-key error for a failed ETag condition and keeps that key", async () => {
    const bucket = uniqueBucket("delete-etag");
    await putAll(bucket, ["keep", "drop"]);
    const result = await s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: [{ Key: "keep", ETag: '"0000"' }, { Key: "drop" }] },
      }),
    );
    expect(result.Deleted?.map((d) => d.Key)).toEqual(["drop"]);
    expect(result.Errors).toEqual([
      expect.objectContaining({ Key: "keep", Code: "PreconditionFailed" }),
    ]);
  });

  it("requires an integrity header, as S3 does", async () => {
    const bucket = uniqueBucket("delete-md5");
    await putAll(bucket, ["a"]);
    const response = await signedFetch(
      `/${bucket}?delete`,
      "<Delete><Object><Key>a</Key></Object></Delete>",
    );
    expect(response.status).toBe(400);
    expect(await response.text()).toContain(
      "Missing required header for this request: Content-MD5",
    );
  });
});

/** A raw SigV4-signed POST without any checksum header (the SDK always adds one). */
const signedFetch = async (pathAndQuery: string, body: string): Promise<Response> => {
  const { SignatureV4 } = await import("@smithy/signature-v4");
  const { Sha256 } = await import("@aws-crypto/sha256-js");
  const url = new URL(pathAndQuery, cloud.endpoint);
  const signer = new SignatureV4({
    credentials: cloud.credentials,
    region: cloud.region,
    service: "s3",
    sha256: Sha256,
    uriEscapePath: false,
  });
  const signed = await signer.sign({
    method: "POST",
    protocol: "http:",
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: { host: url.host, "content-type": "application/xml" },
    body,
  });
  return fetch(url, { method: "POST", headers: signed.headers, body });
};

describe("a large bucket", () => {
  it("pages through 2,345 keys 1,000 at a time (a state folder written by the store)", async () => {
    // Seeding through the store keeps this fast; the API writes are covered elsewhere.
    const stateDir = mkdtempSync(join(tmpdir(), "localcloud-s3-many-"));
    const many = Array.from({ length: 2345 }, (_, i) => `k/${String(i).padStart(5, "0")}`);
    const store = new ObjectStore(join(stateDir, "s3"));
    store.load();
    store.createBucket("many", "us-east-1");
    for (const key of many) {
      store.putObject("many", {
        key,
        blob: `inline:${Buffer.from(key).toString("base64")}`,
        size: key.length,
        etag: '"0"',
        lastModified: new Date().toISOString(),
        contentType: "text/plain",
        metadata: {},
      });
    }
    store.close();
    const seeded = await startS3Cloud({ stateDir });
    try {
      const client = s3Client(seeded);
      const seen: string[] = [];
      const counts: number[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: "many", ContinuationToken: token }),
        );
        counts.push(page.KeyCount ?? -1);
        seen.push(...(page.Contents ?? []).map((c) => c.Key ?? ""));
        token = page.NextContinuationToken;
      } while (token);
      expect(counts).toEqual([1000, 1000, 345]);
      expect(seen).toEqual(many);
      const body = await client.send(new GetObjectCommand({ Bucket: "many", Key: "k/02344" }));
      expect(await body.Body?.transformToString()).toBe("k/02344");
    } finally {
      await seeded.dispose();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
