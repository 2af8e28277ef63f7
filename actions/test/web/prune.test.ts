import { DeleteObjectsCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { MANIFEST_FORMAT, type SiteManifest } from "../../src/web/manifest";
import { prune } from "../../src/web/prune";
import { memoryLogger } from "./publish-helpers";

const s3 = mockClient(S3Client);
const site = { bucket: "site", prefix: "", ledgerPrefix: ".shipline/" };
const release = { releaseId: "r2", publishedAt: "2026-12-05T06:00:00.000Z", files: {} };
const manifest: SiteManifest = {
  format: MANIFEST_FORMAT,
  prefix: "",
  live: release,
  history: [],
  pendingDeletes: ["assets/app.1111111111.js", "assets/vendor.2222222222.js"],
};

beforeEach(() => {
  s3.reset();
  s3.on(DeleteObjectsCommand).resolves({});
  s3.on(PutObjectCommand).resolves({ ETag: '"m2"' });
});

describe("pruning dropped releases' files", () => {
  it("deletes every pending key, then records that none is pending", async () => {
    const { logger } = memoryLogger();
    expect(await prune(new S3Client({}), site, manifest, logger, "m1")).toBe(2);
    const deleted = s3.commandCalls(DeleteObjectsCommand)[0]?.args[0].input.Delete?.Objects;
    expect(deleted?.map((object) => object.Key)).toEqual(manifest.pendingDeletes);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(1);
  });

  it("leaves a key another site sharing the bucket went live with since the plan (read again right before)", async () => {
    const { logger, lines } = memoryLogger();
    let reads = 0;
    const stillUsed = async () => {
      reads += 1;
      return new Set(["assets/vendor.2222222222.js"]);
    };
    expect(await prune(new S3Client({}), site, manifest, logger, "m1", stillUsed)).toBe(1);
    expect(reads).toBe(1);
    const deleted = s3.commandCalls(DeleteObjectsCommand)[0]?.args[0].input.Delete?.Objects;
    expect(deleted?.map((object) => object.Key)).toEqual(["assets/app.1111111111.js"]);
    expect(lines.join("\n")).toMatch(/leaving 1 object\(s\) another site/);
    // Not pending any more either: it is the other site's to remove once it drops it.
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(1);
  });

  it("deletes nothing and still clears the pending list when every key is kept by another site", async () => {
    const { logger } = memoryLogger();
    const stillUsed = async () => new Set(manifest.pendingDeletes);
    expect(await prune(new S3Client({}), site, manifest, logger, "m1", stillUsed)).toBe(0);
    expect(s3.commandCalls(DeleteObjectsCommand)).toHaveLength(0);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(1);
  });
});
