import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AwsError } from "../../src/server/errors";
import type { ObjectRecord } from "../../src/services/s3/model";
import { ObjectStore } from "../../src/services/s3/store";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const freshStore = (dir = mkdtempSync(join(tmpdir(), "s3-store-"))) => {
  dirs.push(dir);
  const store = new ObjectStore(dir);
  store.load();
  return { store, dir };
};

const record = (key: string, etag: string): ObjectRecord => ({
  key,
  blob: `inline:${Buffer.from(etag).toString("base64")}`,
  size: etag.length,
  etag: `"${etag}"`,
  lastModified: new Date().toISOString(),
  contentType: "text/plain",
  metadata: {},
});

describe("ObjectStore", () => {
  it("answers 409 ConditionalRequestConflict when a delete lands during a conditional write", () => {
    const { store } = freshStore();
    store.createBucket("b", "us-east-1");
    store.putObject("b", record("k", "1"));
    const conditions = { ifMatch: '"1"' };
    const startedAt = store.beginWrite(conditions);
    store.deleteObject("b", "k");
    let error: unknown;
    try {
      store.putObject("b", record("k", "2"), conditions, startedAt);
    } catch (caught) {
      error = caught;
    }
    store.endWrite(conditions);
    expect(error).toBeInstanceOf(AwsError);
    expect(error).toMatchObject({ code: "ConditionalRequestConflict", status: 409 });
    expect(store.getObject("b", "k")).toBeUndefined();
  });

  it("compacts its journal when overwrites pile up, and reloads the latest state", () => {
    const { store, dir } = freshStore();
    store.createBucket("b", "us-east-1");
    for (let i = 0; i < 25_000; i++) store.putObject("b", record(`k${i % 10}`, String(i)));
    store.deleteObject("b", "k0");
    store.close();
    const lines = readFileSync(join(dir, "index.jsonl"), "utf8").trim().split("\n");
    expect(lines.length).toBeLessThan(10_000);
    const reloaded = new ObjectStore(dir);
    reloaded.load();
    expect(reloaded.sortedKeys("b")).toEqual([
      "k1",
      "k2",
      "k3",
      "k4",
      "k5",
      "k6",
      "k7",
      "k8",
      "k9",
    ]);
    expect(reloaded.getObject("b", "k9")?.etag).toBe('"24999"');
    reloaded.close();
  });

  it("skips a torn last journal line (a write that was never acknowledged)", () => {
    const { store, dir } = freshStore();
    store.createBucket("b", "us-east-1");
    store.putObject("b", record("kept", "1"));
    store.close();
    const path = join(dir, "index.jsonl");
    appendFileSync(path, '{"t":"put","bucket":"b","object":{"key":"torn"');
    const reloaded = new ObjectStore(dir);
    reloaded.load();
    expect(reloaded.sortedKeys("b")).toEqual(["kept"]);
    reloaded.close();
  });
});
