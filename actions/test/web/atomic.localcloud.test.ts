import { rm } from "node:fs/promises";
import { join } from "node:path";
import {
  CreateFunctionCommand,
  DescribeFunctionCommand,
  GetDistributionConfigCommand,
  GetFunctionCommand,
  ListInvalidationsCommand,
  PublishFunctionCommand,
  TestFunctionCommand,
  UpdateFunctionCommand,
} from "@aws-sdk/client-cloudfront";
import { GetKeyCommand, PutKeyCommand } from "@aws-sdk/client-cloudfront-keyvaluestore";
import { DeleteObjectCommand, HeadObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSiteManifest } from "../../src/ledger/site";
import { rollbackAtomic } from "../../src/web/atomic-rollback";
import {
  deletePointer,
  LivePointerMovedError,
  readLiveState,
  switchLive,
} from "../../src/web/live-store";
import { LIVE_KEY, ROUTER_CODE } from "../../src/web/release-router";
import { iamActionsOf, policyActions } from "../release/iam";
import {
  type AtomicSite,
  createKeyValueStore,
  createSiteDistribution,
  keyValueStoreOf,
  publishAtomic,
  releaseNamed,
  writeRelease,
} from "./atomic-helpers";
import {
  bucketState,
  cloudFrontOf,
  createBucket,
  edgeUrl,
  referencedAssets,
  s3Of,
  startWebCloud,
  tempDir,
  type WebCloud,
} from "./cloud";
import { memoryLogger } from "./publish-helpers";

type LogEntryLike = { service: string; operation: string };

let cloud: WebCloud;
let tmp: string;
let site: AtomicSite;
let storeArn: string;

beforeAll(async () => {
  cloud = await startWebCloud(100, { keyValueStores: true });
  tmp = await tempDir("atomic");
  await createBucket(cloud, "atomic-site");
  storeArn = await createKeyValueStore(cloud, "atomic-site-releases");
  site = {
    cloud,
    bucket: "atomic-site",
    distributionId: await createSiteDistribution(cloud, "atomic-site"),
    store: "atomic-site-releases",
  };
});
afterAll(async () => {
  await cloud?.dispose();
});

/** The paths a viewer asks for: pages, a folder, an SPA route, an unhashed file. */
const PAGES = ["/", "/index.html", "/about.html", "/docs/", "/account/settings"];

interface PollStats {
  sets: number;
  mixed: string[];
  broken: string[];
  seen: Set<string>;
}

/** One page and every asset it loads: one release, all 200, assets not answered with HTML. */
async function checkPage(base: string, path: string, stats: PollStats): Promise<void> {
  const page = await fetch(`${base}${path}`);
  const html = await page.text();
  const release = releaseNamed(html);
  stats.sets += 1;
  if (page.status !== 200 || !release) {
    stats.broken.push(`${path}: ${page.status} ${html.slice(0, 60)}`);
    return;
  }
  stats.seen.add(release);
  for (const asset of referencedAssets(html)) {
    const response = await fetch(`${base}${asset}`);
    const body = await response.text();
    const type = response.headers.get("content-type") ?? "";
    if (response.status !== 200 || type.startsWith("text/html")) {
      stats.broken.push(`${path} (${release}) → ${asset}: ${response.status} ${type}`);
    } else if (!asset.includes("vendor") && releaseNamed(body) !== release) {
      stats.mixed.push(`${path} (${release}) → ${asset} (${releaseNamed(body)})`);
    }
  }
}

async function servedRelease(base: string): Promise<string | undefined> {
  return releaseNamed(await (await fetch(`${base}/`)).text());
}

/** Bounded wait until the edge serves `release` at "/"; the time it took. */
async function waitServed(base: string, release: string): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < 10_000) {
    if ((await servedRelease(base)) === release) return performance.now() - started;
  }
  throw new Error(`the edge did not serve ${release} within 10 s`);
}

describe("web-mode atomic through localcloud's edge", () => {
  it("20 releases and 10 rollbacks: every page set is one release, no invalidation", async () => {
    const base = edgeUrl(cloud, site.distributionId);
    const stats: PollStats = { sets: 0, mixed: [], broken: [], seen: new Set() };
    const robots = { checked: 0, wrong: [] as string[] };
    let polling = true;
    // Started once the first release is live: before it there is no site to check.
    const poll = async () => {
      while (polling) {
        for (const path of PAGES) await checkPage(base, path, stats);
        const response = await fetch(`${base}/robots.txt`);
        const text = await response.text();
        robots.checked += 1;
        if (response.status !== 200 || !releaseNamed(text)) robots.wrong.push(text.slice(0, 40));
      }
    };
    let poller: Promise<void> | undefined;

    const switchMs: number[] = [];
    // The API calls of publishes and of rollbacks, for the IAM policies of deploy and rollback.
    const calls = {
      publish: [] as LogEntryLike[],
      rollback: [] as LogEntryLike[],
      later: [] as LogEntryLike[],
    };
    const record = (into: LogEntryLike[], since: number) =>
      into.push(...cloud.requestLog.list({ sinceSeq: since }).filter((e) => e.service !== "edge"));
    try {
      for (let i = 1; i <= 20; i++) {
        const release = `r${String(i).padStart(2, "0")}`;
        const dir = join(tmp, release);
        await writeRelease(dir, release, i <= 10 ? "v1" : "v2");
        const before = cloud.requestLog.lastSeq;
        const published = await publishAtomic(site, dir, release);
        record(calls.publish, before);
        if (i > 1) record(calls.later, before);
        expect(published.invalidations).toEqual([]);
        switchMs.push(await waitServed(base, release));
        poller ??= poll();
        await rm(dir, { recursive: true });
        if (i % 2 === 0) {
          const { logger } = memoryLogger();
          const since = cloud.requestLog.lastSeq;
          const plan = await rollbackAtomic(
            s3Of(cloud),
            keyValueStoreOf(cloud),
            { bucket: site.bucket, prefix: "", ledgerPrefix: ".shipline/" },
            storeArn,
            "previous",
            { logger, now: new Date().toISOString() },
          );
          record(calls.rollback, since);
          expect(plan.target).toBe(`r${String(i - 1).padStart(2, "0")}`);
          switchMs.push(await waitServed(base, plan.target));
        }
      }
    } finally {
      polling = false;
      await poller;
    }

    expect(stats.mixed).toEqual([]);
    expect(stats.broken).toEqual([]);
    expect(robots.wrong).toEqual([]);
    // The poller saw the releases change under it, not one release all along.
    expect(stats.seen.size).toBeGreaterThanOrEqual(10);
    expect(stats.sets).toBeGreaterThan(100);
    const listed = await cloudFrontOf(cloud).send(
      new ListInvalidationsCommand({ DistributionId: site.distributionId }),
    );
    expect(listed.InvalidationList?.Quantity ?? 0).toBe(0);
    console.log(
      `atomic: ${stats.sets} page sets checked, ${robots.checked} robots.txt, 0 mixed, 0 broken; switch served after p50 ${
        [...switchMs].sort((a, b) => a - b)[Math.floor(switchMs.length / 2)]?.toFixed(1) ?? "?"
      } ms`,
    );

    // Every call is one the command's documented policy allows (actions/iam/).
    for (const [command, made] of [
      ["deploy", calls.publish],
      ["rollback", calls.rollback],
    ] as const) {
      const allowed = await policyActions(command);
      const needed = new Set(made.flatMap((call) => iamActionsOf(call.service, call.operation)));
      expect(
        [...needed].filter((action) => !allowed.has(action)),
        `actions/iam/${command}.json`,
      ).toEqual([]);
      if (command === "deploy") {
        expect(needed).toContain("cloudfront:CreateFunction");
        expect(needed).toContain("cloudfront:UpdateDistribution");
      }
      expect(needed).toContain("cloudfront-keyvaluestore:PutKey");
    }

    // Only the first publish put the router in place; the others read it and left it alone.
    expect(
      calls.later
        .map((call) => call.operation)
        .filter((operation) => /Function$|^UpdateDistribution$/.test(operation))
        .filter((operation) => !/^(Describe|Get)/.test(operation)),
    ).toEqual([]);

    // The router runs on the default behaviour only, never on /api/*.
    const config = await cloudFrontOf(cloud).send(
      new GetDistributionConfigCommand({ Id: site.distributionId }),
    );
    const associations = config.DistributionConfig?.DefaultCacheBehavior?.FunctionAssociations;
    expect(associations?.Items?.map((item) => item.EventType)).toEqual(["viewer-request"]);
    expect(
      config.DistributionConfig?.CacheBehaviors?.Items?.[0]?.FunctionAssociations?.Quantity ?? 0,
    ).toBe(0);

    // Retention: the live release (r19 after the last rollback) and the 3 before it keep their
    // folders and every asset they reference; the rest went, the v1 vendor file with them.
    const manifest = await readSiteManifest(s3Of(cloud), {
      bucket: site.bucket,
      prefix: "",
      ledgerPrefix: ".shipline/",
    });
    const kept = [manifest?.live, ...(manifest?.history ?? [])].map((r) => r?.releaseId);
    expect(kept).toEqual(["r19", "r20", "r17", "r18"]);
    const keys = Object.keys(await bucketState(cloud, site.bucket));
    const folders = new Set(
      keys.filter((key) => key.startsWith("releases/")).map((key) => key.split("/")[1]),
    );
    expect([...folders].sort()).toEqual(["r17", "r18", "r19", "r20"]);
    for (const release of [manifest?.live, ...(manifest?.history ?? [])]) {
      for (const key of Object.keys(release?.files ?? {})) expect(keys).toContain(key);
    }
    const assets = keys.filter((key) => key.startsWith("assets/"));
    expect(assets.filter((key) => key.startsWith("assets/vendor."))).toHaveLength(1);
    expect(assets).toHaveLength(4 * 2 + 1);
  }, 120_000);

  it("the router's code runs in localcloud's TestFunction and rewrites as documented", async () => {
    const cloudfront = cloudFrontOf(cloud);
    const name = "shipline-atomic-site";
    const live = await cloudfront.send(new DescribeFunctionCommand({ Name: name, Stage: "LIVE" }));
    expect(live.FunctionSummary?.FunctionConfig?.Runtime).toBe("cloudfront-js-2.0");
    const pointer = await keyValueStoreOf(cloud).send(
      new GetKeyCommand({ KvsARN: storeArn, Key: LIVE_KEY }),
    );
    const release = JSON.parse(pointer.Value ?? "{}").release;
    const rewrite = async (uri: string) => {
      const event = {
        version: "1.0",
        context: { eventType: "viewer-request" },
        viewer: { ip: "192.0.2.1" },
        request: { method: "GET", uri, querystring: {}, headers: {}, cookies: {} },
      };
      const tested = await cloudfront.send(
        new TestFunctionCommand({
          Name: name,
          IfMatch: live.ETag,
          Stage: "LIVE",
          EventObject: new TextEncoder().encode(JSON.stringify(event)),
        }),
      );
      const result = tested.TestResult;
      expect(result?.FunctionErrorMessage ?? "").toBe("");
      expect(Number(result?.ComputeUtilization)).toBeLessThan(100);
      return JSON.parse(result?.FunctionOutput ?? "{}").request?.uri;
    };
    expect(await rewrite("/")).toBe(`/releases/${release}/index.html`);
    expect(await rewrite("/about.html")).toBe(`/releases/${release}/about.html`);
    expect(await rewrite("/docs/")).toBe(`/releases/${release}/docs/index.html`);
    expect(await rewrite("/account/settings")).toBe(`/releases/${release}/index.html`);
    expect(await rewrite("/robots.txt")).toBe(`/releases/${release}/robots.txt`);
    expect(await rewrite("/assets/app.0123456789.js")).toBe("/assets/app.0123456789.js");
  });

  it("a function changed outside shipline is put back (updated, published) by the next publish", async () => {
    const cloudfront = cloudFrontOf(cloud);
    const name = "shipline-atomic-site";
    const described = await cloudfront.send(
      new DescribeFunctionCommand({ Name: name, Stage: "DEVELOPMENT" }),
    );
    const changed = `${ROUTER_CODE}// changed by hand\n`;
    const updated = await cloudfront.send(
      new UpdateFunctionCommand({
        Name: name,
        IfMatch: described.ETag,
        FunctionConfig: described.FunctionSummary?.FunctionConfig,
        FunctionCode: new TextEncoder().encode(changed),
      }),
    );
    await cloudfront.send(new PublishFunctionCommand({ Name: name, IfMatch: updated.ETag }));
    const dir = join(tmp, "r21");
    await writeRelease(dir, "r21");
    const since = cloud.requestLog.lastSeq;
    await publishAtomic(site, dir, "r21");
    const operations = cloud.requestLog.list({ sinceSeq: since }).map((call) => call.operation);
    expect(operations).toContain("UpdateFunction");
    expect(operations).toContain("PublishFunction");
    expect(operations).not.toContain("UpdateDistribution");
    const live = await cloudfront.send(new GetFunctionCommand({ Name: name, Stage: "LIVE" }));
    expect(new TextDecoder().decode(live.FunctionCode)).toBe(ROUTER_CODE);
    expect(await servedRelease(edgeUrl(cloud, site.distributionId))).toBe("r21");
  });

  it("tells the release (its guard) right before the PutKey, once, with the router in place and the pointer not yet moved", async () => {
    const cloudfront = cloudFrontOf(cloud);
    const name = "shipline-atomic-site";
    // The router drifted, so the publish syncs it first: the hook must come after that wait.
    const described = await cloudfront.send(
      new DescribeFunctionCommand({ Name: name, Stage: "DEVELOPMENT" }),
    );
    await cloudfront.send(
      new UpdateFunctionCommand({
        Name: name,
        IfMatch: described.ETag,
        FunctionConfig: described.FunctionSummary?.FunctionConfig,
        FunctionCode: new TextEncoder().encode(`${ROUTER_CODE}// an older router\n`),
      }),
    );
    const before = await servedRelease(edgeUrl(cloud, site.distributionId));
    const dir = join(tmp, "r22");
    await writeRelease(dir, "r22");
    const seen: { pointer: string; operations: string[] }[] = [];
    const since = cloud.requestLog.lastSeq;
    await publishAtomic(
      site,
      dir,
      "r22",
      {},
      {
        beforeEntryPoints: async () => {
          const got = await keyValueStoreOf(cloud).send(
            new GetKeyCommand({ KvsARN: storeArn, Key: LIVE_KEY }),
          );
          seen.push({
            pointer: JSON.parse(got.Value ?? "{}").release,
            operations: cloud.requestLog.list({ sinceSeq: since }).map((call) => call.operation),
          });
        },
      },
    );
    expect(seen).toHaveLength(1);
    expect(seen[0]?.pointer).toBe(before);
    expect(seen[0]?.operations).toContain("PublishFunction");
    expect(seen[0]?.operations).not.toContain("PutKey");
    expect(await servedRelease(edgeUrl(cloud, site.distributionId))).toBe("r22");
  });

  it("refuses, before any write, a distribution whose default behaviour runs another function", async () => {
    const cloudfront = cloudFrontOf(cloud);
    const created = await cloudfront.send(
      new CreateFunctionCommand({
        Name: "someone-elses",
        FunctionConfig: { Comment: "", Runtime: "cloudfront-js-2.0" },
        FunctionCode: new TextEncoder().encode("function handler(event) { return event.request; }"),
      }),
    );
    await cloudfront.send(
      new PublishFunctionCommand({ Name: "someone-elses", IfMatch: created.ETag }),
    );
    await createBucket(cloud, "atomic-taken");
    const taken: AtomicSite = {
      ...site,
      bucket: "atomic-taken",
      distributionId: await createSiteDistribution(
        cloud,
        "atomic-taken",
        created.FunctionSummary?.FunctionMetadata?.FunctionARN,
      ),
    };
    const dir = join(tmp, "taken");
    await writeRelease(dir, "r1");
    const since = cloud.requestLog.lastSeq;
    await expect(publishAtomic(taken, dir, "r1")).rejects.toThrow(
      /runs function .*someone-elses.* on viewer requests/,
    );
    const writes = cloud.requestLog
      .list({ sinceSeq: since })
      .filter((entry) => entry.method !== "GET" && entry.method !== "HEAD");
    expect(writes.map((entry) => `${entry.service} ${entry.operation}`)).toEqual([]);
  });

  it("a dry run reads the store and the router and writes nothing", async () => {
    const before = await bucketState(cloud, site.bucket);
    const pointer = async () =>
      (await keyValueStoreOf(cloud).send(new GetKeyCommand({ KvsARN: storeArn, Key: LIVE_KEY })))
        .Value;
    const live = await pointer();
    const dir = join(tmp, "dry");
    await writeRelease(dir, "r99");
    const since = cloud.requestLog.lastSeq;
    const result = await publishAtomic(site, dir, "r99", { "dry-run": "true" }, { readOnly: true });
    expect(result.dryRun).toBe(true);
    expect(result.log.join("\n")).toContain("→ r99");
    expect(await pointer()).toBe(live);
    expect(await bucketState(cloud, site.bucket)).toEqual(before);
    const writes = cloud.requestLog
      .list({ sinceSeq: since })
      .filter((entry) => entry.method !== "GET" && entry.method !== "HEAD");
    expect(writes.map((entry) => `${entry.service} ${entry.operation}`)).toEqual([]);
  });

  it("a switch goes through when only another key moved since it read the store, and not when its own did", async () => {
    const kvs = keyValueStoreOf(cloud);
    const live = await readLiveState(kvs, storeArn, "key-value-store");
    const before = live.pointer;
    if (!before) throw new Error("the earlier tests leave a live release");
    // Another pull request's preview goes live in between: the store's ETag moves.
    const other = "shipline-host:pr-41.preview.example.com";
    const stale = { ...live };
    await kvs.send(
      new PutKeyCommand({
        KvsARN: storeArn,
        Key: other,
        Value: JSON.stringify({ release: "pr-41-a", assets: ["/assets/"] }),
        IfMatch: live.etag,
      }),
    );
    await switchLive(kvs, stale, { ...before, release: "r-again" });
    expect((await readLiveState(kvs, storeArn, "key-value-store")).pointer?.release).toBe(
      "r-again",
    );

    // Another publish moves this very key in between: nothing is switched.
    const read = await readLiveState(kvs, storeArn, "key-value-store");
    await switchLive(kvs, read, { ...before, release: "r-other-writer" });
    await expect(switchLive(kvs, read, { ...before, release: "r-late" })).rejects.toBeInstanceOf(
      LivePointerMovedError,
    );
    expect((await readLiveState(kvs, storeArn, "key-value-store")).pointer?.release).toBe(
      "r-other-writer",
    );
    await switchLive(kvs, await readLiveState(kvs, storeArn, "key-value-store"), before);
    await deletePointer(kvs, storeArn, other);
  });

  it("an asset the release found in the bucket, removed by another site before the switch, is sent again", async () => {
    const base = edgeUrl(cloud, site.distributionId);
    const dir = join(tmp, "vanish");
    // The same vendor file as the live release's: already there, so not sent.
    const { assets } = await writeRelease(dir, "r80");
    const vendor = assets.find((asset) => asset.includes("vendor")) ?? "";
    const other = s3Of(cloud);
    let removed = false;
    const result = await publishAtomic(
      site,
      dir,
      "r80",
      {},
      {
        // Another site's pruning lands while this publish sends its pages.
        tapS3: (s3) =>
          s3.middlewareStack.add(
            (next, context) => async (args) => {
              const key = (args.input as { Key?: string }).Key ?? "";
              if (
                !removed &&
                context.commandName === "PutObjectCommand" &&
                key.startsWith("releases/r80/")
              ) {
                removed = true;
                await other.send(new DeleteObjectCommand({ Bucket: site.bucket, Key: vendor }));
              }
              return next(args);
            },
            { step: "initialize", name: "anotherSitePrunes" },
          ),
      },
    );
    expect(removed).toBe(true);
    expect(result.files.find((file) => file.key === vendor)?.action).toBe("skip");
    // The edge may still hold a cached copy: the bucket is what a cache miss reads.
    const head = await other
      .send(new HeadObjectCommand({ Bucket: site.bucket, Key: vendor }))
      .then(() => 200)
      .catch(
        (error: { $metadata?: { httpStatusCode?: number } }) => error.$metadata?.httpStatusCode,
      );
    expect(head, `${vendor} in the bucket once r80 is live`).toBe(200);
    await waitServed(base, "r80");
    const stats: PollStats = { sets: 0, mixed: [], broken: [], seen: new Set() };
    for (const path of PAGES) await checkPage(base, path, stats);
    expect(stats.broken).toEqual([]);
    expect(stats.mixed).toEqual([]);
    expect(result.log.join("\n")).toMatch(/sending them again: assets\/vendor\./);
  });
});
