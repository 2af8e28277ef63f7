import { writeFile } from "node:fs/promises";
import { request } from "node:http";
import { join } from "node:path";
import { ListInvalidationsCommand } from "@aws-sdk/client-cloudfront";
import { GetKeyCommand, ListKeysCommand } from "@aws-sdk/client-cloudfront-keyvaluestore";
import { DeleteObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_LEDGER_PREFIX } from "../../src/ledger/keys";
import { readSiteManifest } from "../../src/ledger/site";
import type { RawInputs } from "../../src/lib/inputs";
import { parsePreviewInputs } from "../../src/preview/inputs";
import { runPreview } from "../../src/preview/preview";
import { previewAliasAdvice } from "../../src/setup/preview-alias";
import { keptReleases } from "../../src/web/manifest";
import { previewHost, previewKey } from "../../src/web/preview-names";
import { LIVE_KEY } from "../../src/web/release-router";
import { REPO_ROOT } from "../helpers/fixtures";
import { iamActionsOf, policyActions } from "../release/iam";
import {
  type AtomicSite,
  createKeyValueStore,
  createSiteDistribution,
  keyValueStoreOf,
  publishAtomic,
  releaseNamed,
  writeRelease,
} from "../web/atomic-helpers";
import {
  cloudFrontOf,
  createBucket,
  edgeUrl,
  referencedAssets,
  s3Of,
  startWebCloud,
  tempDir,
  type WebCloud,
} from "../web/cloud";
import { memoryLogger } from "../web/publish-helpers";

/**
 * Previews on their own hostnames, through localcloud's edge: production at www.shipline.test
 * (and shop.shipline.test), pull request <n>'s preview at pr-<n>.preview.shipline-preview.test,
 * a registrable domain of its own. One distribution serves them all (its aliases), one router
 * function and one key value store route them by Host.
 */
const BUCKET = "hosts-site";
const PRODUCTION = "www.shipline.test";
const DOMAIN = "preview.shipline-preview.test";

let cloud: WebCloud;
let tmp: string;
let site: AtomicSite;
let storeArn: string;
let port: string;

beforeAll(async () => {
  cloud = await startWebCloud(100, { keyValueStores: true });
  tmp = await tempDir("hosts");
  await createBucket(cloud, BUCKET);
  storeArn = await createKeyValueStore(cloud, "hosts-site-releases");
  site = {
    cloud,
    bucket: BUCKET,
    distributionId: await createSiteDistribution(cloud, BUCKET, undefined, [
      PRODUCTION,
      "shop.shipline.test",
      `*.${DOMAIN}`,
    ]),
    store: "hosts-site-releases",
  };
  port = new URL(edgeUrl(cloud, site.distributionId)).port;
});
afterAll(async () => {
  await cloud?.dispose();
});

/** A GET at the edge naming `host` as a viewer at that name would (fetch cannot set Host). */
function get(host: string, path: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { hostname: "127.0.0.1", port: Number(port), path, headers: { host: `${host}:${port}` } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            type: String(res.headers["content-type"] ?? ""),
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.on("error", reject);
    req.end();
  });
}

/** The release a host serves at `path`, with every asset the page loads checked (200, not HTML, same release). */
async function servedAt(host: string, path = "/"): Promise<string> {
  const page = await get(host, path);
  const release = releaseNamed(page.body);
  if (page.status !== 200 || !release) return `${page.status}`;
  for (const asset of referencedAssets(page.body)) {
    const answer = await get(host, asset);
    if (answer.status !== 200 || answer.type.startsWith("text/html")) {
      return `${release} with ${asset} ${answer.status}`;
    }
    if (!asset.includes("vendor") && releaseNamed(answer.body) !== release) {
      return `${release} with ${asset} of ${releaseNamed(answer.body)}`;
    }
  }
  return release;
}

async function build(release: string, vendor: string): Promise<string> {
  const dir = join(tmp, release);
  await writeRelease(dir, release, vendor);
  return dir;
}

/** `shipline preview <command>` as the CLI runs it with the environment's settings. */
async function preview(raw: RawInputs, run = "c0ffee-1") {
  const { logger, lines } = memoryLogger();
  const inputs = parsePreviewInputs(
    {
      bucket: BUCKET,
      "distribution-id": site.distributionId,
      "web-mode": "atomic",
      "key-value-store": site.store,
      "preview-domain": DOMAIN,
      immutable: "assets/**",
      "wait-timeout": "30s",
      comment: "false",
      url: edgeUrl(cloud, site.distributionId),
      ...raw,
    },
    run,
  );
  const result = await runPreview(inputs, {
    logger,
    s3: s3Of(cloud, { maxAttempts: 5 }),
    cloudfront: () => cloudFrontOf(cloud, { maxAttempts: 5 }),
    keyValueStore: () => keyValueStoreOf(cloud),
    invalidationTimings: { pollMs: 50 },
  });
  return { result, lines };
}

const previewAt = (pr: number) => previewHost(pr, DOMAIN);

async function bucketKeys(): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3Of(cloud).send(
      new ListObjectsV2Command({ Bucket: BUCKET, ...(token ? { ContinuationToken: token } : {}) }),
    );
    for (const object of page.Contents ?? []) keys.push(object.Key ?? "");
    token = page.NextContinuationToken;
  } while (token);
  return keys.sort();
}

async function storeKeys(): Promise<string[]> {
  const listed = await keyValueStoreOf(cloud).send(new ListKeysCommand({ KvsARN: storeArn }));
  return (listed.Items ?? []).map((item) => item.Key ?? "").sort();
}

/** Every call since `since` is an action the preview role's policy (actions/iam/preview.json) allows. */
async function expectPreviewRoleActions(since: number): Promise<void> {
  const allowed = await policyActions("preview");
  const refused = cloud.requestLog
    .list({ sinceSeq: since })
    .filter((call) => ["s3", "cloudfront", "cloudfront-keyvaluestore"].includes(call.service))
    .filter((call) => iamActionsOf(call.service, call.operation).some((a) => !allowed.has(a)))
    .map((call) => `${call.service} ${call.operation}`);
  expect([...new Set(refused)]).toEqual([]);
}

describe("previews on their own hostnames, through localcloud's edge", () => {
  it("two previews at once, each at its own host with its own release; production unaffected", async () => {
    await publishAtomic(site, await build("r1", "v1"), "r1");
    expect(await servedAt(PRODUCTION)).toBe("r1");

    // A build for a host preview has no base path.
    const basePath = await preview({ command: "base-path", "pull-request": "7" });
    expect(basePath.result).toEqual({ command: "base-path", basePath: "/" });

    // PR 7 shares production's vendor asset; PR 8 brings one of its own.
    const seven = await preview(
      { source: await build("r71", "v1"), "pull-request": "7", "release-id": "r71" },
      "c0ffee-7",
    );
    const eight = await preview(
      { source: await build("r81", "v2"), "pull-request": "8", "release-id": "r81" },
      "c0ffee-8",
    );
    expect(seven.result.command === "publish" && seven.result.publish.url).toBe(
      `http://${previewAt(7)}:${port}/`,
    );
    expect(eight.lines.join("\n")).toContain(`is live at ${previewKey(previewAt(8))}`);

    expect(await servedAt(previewAt(7))).toBe("r71");
    expect(await servedAt(previewAt(8))).toBe("r81");
    expect(await servedAt(previewAt(8), "/docs/")).toBe("r81");
    expect(await servedAt(PRODUCTION)).toBe("r1");
    expect(await servedAt(PRODUCTION, "/account/settings")).toBe("r1");
    // A preview host nobody published (or a closed one) is a 404, never production's pages.
    const unknown = await get(previewAt(9), "/");
    expect(unknown.status).toBe(404);
    expect(releaseNamed(unknown.body)).toBeUndefined();
    // A name that is not the distribution's is refused by the edge itself.
    expect((await get("pr-7.elsewhere.test", "/")).status).toBe(403);

    // A new push to PR 7 is one PutKey at its host; production and PR 8 stay as they were.
    await preview(
      { source: await build("r72", "v1"), "pull-request": "7", "release-id": "r72" },
      "c0ffee-9",
    );
    expect(await servedAt(previewAt(7))).toBe("r72");
    expect(await servedAt(previewAt(8))).toBe("r81");
    expect(await servedAt(PRODUCTION)).toBe("r1");

    // Production moves on and keeps no earlier release: r1's vendor asset, which PR 7's
    // releases still load, stays (another site's kept release uses it).
    const sharedVendor = referencedAssets((await get(previewAt(7), "/")).body)
      .find((asset) => asset.includes("vendor"))
      ?.slice(1);
    const pruned = await publishAtomic(site, await build("r2", "v3"), "r2", {
      "keep-releases": "0",
    });
    expect(pruned.deleted).toBeGreaterThan(0);
    expect(await servedAt(PRODUCTION)).toBe("r2");
    // (The edge may hold the asset in its cache: the bucket is what must keep it.)
    expect(await bucketKeys()).toContain(sharedVendor);
    expect(await servedAt(previewAt(7))).toBe("r72");

    // A preview's build cannot replace an asset production serves under the same hashed name.
    const forged = await build("r91", "v3");
    const { assets } = await writeRelease(forged, "r91", "v3");
    const vendor = assets.find((asset) => asset.includes("vendor")) ?? "";
    await writeFile(join(forged, vendor), "/* not what production serves */\n");
    await expect(
      preview({ source: forged, "pull-request": "9", "release-id": "r91" }, "c0ffee-11"),
    ).rejects.toThrow(/never overwrites a shared asset/);
    expect((await get(PRODUCTION, `/${vendor}`)).body).toBe("/* vendor v3 */\n");
    expect(await storeKeys()).not.toContain(previewKey(previewAt(9)));

    // bootstrap's check of the distribution that serves the previews' hosts.
    const cloudfront = cloudFrontOf(cloud);
    const ids = [site.distributionId];
    expect((await previewAliasAdvice(cloudfront, ids, DOMAIN)).ok).toBe(true);
    const missing = await previewAliasAdvice(cloudfront, ids, "other-preview.test");
    expect(missing).toMatchObject({ ok: false });
    expect(missing.message).toContain("*.other-preview.test");

    const invalidations = await cloudFrontOf(cloud).send(
      new ListInvalidationsCommand({ DistributionId: site.distributionId }),
    );
    expect(invalidations.InvalidationList?.Quantity ?? 0).toBe(0);
  });

  it("destroy, then the sweep, remove each preview's key and files with nothing left", async () => {
    const vendorOf = async (host: string) =>
      referencedAssets((await get(host, "/")).body).find((asset) => asset.includes("vendor"));
    const eightsVendor = (await vendorOf(previewAt(8)))?.slice(1) ?? "";
    const sevensVendor = (await vendorOf(previewAt(7)))?.slice(1) ?? "";
    expect(eightsVendor).toMatch(/^assets\/vendor\./);

    const since = cloud.requestLog.lastSeq;
    const destroyed = await preview({ command: "destroy", "pull-request": "8" });
    expect(destroyed.result.command === "destroy" && destroyed.result.destroyed.deleted).toBe(7);
    expect((await get(previewAt(8), "/")).status).toBe(404);
    await expect(
      keyValueStoreOf(cloud).send(
        new GetKeyCommand({ KvsARN: storeArn, Key: previewKey(previewAt(8)) }),
      ),
    ).rejects.toMatchObject({ name: "ResourceNotFoundException" });
    let keys = await bucketKeys();
    expect(keys.filter((key) => key.includes("r81") || key.includes("previews/pr-8/"))).toEqual([]);
    expect(keys).not.toContain(eightsVendor);
    expect(keys).toContain(sevensVendor);
    expect(await servedAt(previewAt(7))).toBe("r72");
    expect(await servedAt(PRODUCTION)).toBe("r2");

    // PR 10's publish died after its PutKey, before its manifest: only its release's record
    // (written before its pages) names its files.
    await preview(
      { source: await build("r101", "v4"), "pull-request": "10", "release-id": "r101" },
      "c0ffee-12",
    );
    expect(await servedAt(previewAt(10))).toBe("r101");
    await s3Of(cloud).send(
      new DeleteObjectCommand({
        Bucket: BUCKET,
        Key: `${DEFAULT_LEDGER_PREFIX}previews/pr-10/web/root/manifest.json`,
      }),
    );

    // PRs 7 and 10 closed without their cleanup running: the sweep finds them.
    const since2 = cloud.requestLog.lastSeq;
    const swept = await preview({ command: "sweep", "open-pull-requests": "12" });
    expect(swept.result.command === "sweep" && swept.result.destroyed).toHaveLength(2);
    await expectPreviewRoleActions(since);
    await expectPreviewRoleActions(since2);
    expect((await get(previewAt(7), "/")).status).toBe(404);
    expect((await get(previewAt(10), "/")).status).toBe(404);
    expect(await servedAt(PRODUCTION)).toBe("r2");

    // Nothing of either preview is left: the store holds production's pointer only, and every
    // object outside the ledger is a file of production's kept release.
    expect(await storeKeys()).toEqual([LIVE_KEY]);
    keys = await bucketKeys();
    const production = await readSiteManifest(s3Of(cloud), {
      bucket: BUCKET,
      prefix: "",
      ledgerPrefix: DEFAULT_LEDGER_PREFIX,
    });
    const productionFiles = new Set(
      keptReleases(production ?? ({ live: { files: {} }, history: [] } as never)).flatMap(
        (release) => Object.keys(release.files),
      ),
    );
    expect(keys.filter((key) => !key.startsWith(DEFAULT_LEDGER_PREFIX))).toEqual(
      [...productionFiles].sort(),
    );
    expect(keys.filter((key) => key.startsWith(`${DEFAULT_LEDGER_PREFIX}previews/`))).toEqual([]);
    expect(keys).not.toContain(sevensVendor);
  });
});

/** The part of playwright-core's Browser used here (launched by app-web's Chromium helper). */
interface Browser {
  newPage(): Promise<{
    goto(url: string): Promise<unknown>;
    evaluate<T>(fn: string): Promise<T>;
    close(): Promise<void>;
  }>;
  close(): Promise<void>;
}

describe("a preview's origin, in Chromium", () => {
  it("a preview page cannot read production's cookies (another registrable domain)", async () => {
    // Production live and one preview, as the sweep left none (published with the preview role's
    // actions only: the router is in place, so it is checked, not changed).
    const since = cloud.requestLog.lastSeq;
    await preview(
      { source: await build("r73", "v1"), "pull-request": "7", "release-id": "r73" },
      "c0ffee-10",
    );
    await expectPreviewRoleActions(since);
    const chromium = (await import(
      /* @vite-ignore */ join(REPO_ROOT, "app-web/test/support/chromium.ts")
    )) as { launchChromium(extraArgs?: string[]): Promise<Browser> };
    const browser = await chromium.launchChromium([
      "--host-resolver-rules=MAP *.shipline.test 127.0.0.1, MAP *.shipline-preview.test 127.0.0.1",
    ]);
    try {
      const page = await browser.newPage();
      await page.goto(`http://${PRODUCTION}:${port}/`);
      expect(await page.evaluate<string>("document.title")).toBe("home");
      // A session cookie as a site shares it with its subdomains.
      await page.evaluate("document.cookie = 'session=prod-secret; Domain=shipline.test; Path=/'");
      // Control: another production host reads it, so the check below can fail.
      await page.goto(`http://shop.shipline.test:${port}/`);
      expect(await page.evaluate<string>("document.cookie")).toContain("session=prod-secret");

      await page.goto(`http://${previewAt(7)}:${port}/`);
      expect(
        await page.evaluate<string>("document.querySelector('meta[name=release]').content"),
      ).toBe("r73");
      expect(await page.evaluate<string>("document.cookie")).not.toContain("prod-secret");
      await page.close();
    } finally {
      await browser.close();
    }
  });
});
