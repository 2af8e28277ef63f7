/**
 * How fast a web release (and a rollback) reaches every edge request, through localcloud's
 * CloudFront edge, for three ways of shipping a site:
 *
 *   npx tsx bench/web/switch.ts
 *
 *   - `aws s3 sync` + `aws cloudfront create-invalidation --paths "/*"` (AWS CLI v2, /usr/bin/aws);
 *   - shipline publish-web, web-mode invalidate (entry points at the root, changed paths
 *     invalidated; rollback copies the entry points back and invalidates);
 *   - shipline publish-web, web-mode atomic (releases side by side, a CloudFront Function
 *     reading the live release from a key value store; go-live and rollback are one PutKey).
 *
 * Each tool gets its own bucket and distribution (CachingOptimized, SPA fallback), publishes
 * release A, then publishes B and rolls back to A; before each of these two measurements every
 * invalidation has completed and the edge cache is warm (every page asked twice).
 * "switch" is the time from the moment the release's files are in the bucket (the tool's last
 * upload answered) to the first moment every edge request — the pages and the assets the home
 * page loads — serves the new release; "rollback" is the time from starting the
 * rollback to the same moment for A, and its API requests (S3, CloudFront, key value store;
 * edge requests not counted); the last column says whether robots.txt (unhashed, not a page)
 * was back to A too. localcloud's timings are its defaults at scale 1: an invalidation
 * completes after 1 s, a distribution deploys after 1 s, a key value store write is seen by the
 * next request. On AWS, invalidations and deployments take longer; store writes propagate
 * within seconds.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  CreateDistributionCommand,
  CreateKeyValueStoreCommand,
  type DistributionConfig,
  ListInvalidationsCommand,
} from "@aws-sdk/client-cloudfront";
import { CreateBucketCommand, type S3Client } from "@aws-sdk/client-s3";
import { formatTable, TerminalLogger } from "../../actions/src/lib/logger";
import { restoreWebRelease } from "../../actions/src/release/web-rollback";
import { rollbackAtomic } from "../../actions/src/web/atomic-rollback";
import {
  createCloudFrontClient,
  createKeyValueStoreClient,
  createS3Client,
} from "../../actions/src/web/clients";
import { parsePublishWebInputs } from "../../actions/src/web/inputs";
import { publishWeb } from "../../actions/src/web/publish-web";
import { cloudFrontServiceWith } from "../../localcloud/src/services/cloudfront";
import { cloudFrontKeyValueStoreService } from "../../localcloud/src/services/cloudfront-keyvaluestore";
import { s3Service } from "../../localcloud/src/services/s3";
import { stsService } from "../../localcloud/src/services/sts";
import { startTestCloud } from "../../localcloud/test/helpers/cloud";

const exec = promisify(execFile);
const AWS_CLI = "/usr/bin/aws";
const CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6";
const PAGES = ["/", "/about.html"];
const SERVED_LIMIT_MS = 60_000;

const cloud = await startTestCloud({
  timeScale: 1,
  services: [stsService, s3Service, cloudFrontServiceWith({}), cloudFrontKeyValueStoreService],
});
const work = await mkdtemp(join(tmpdir(), "bench-web-switch-"));
// shipline's own clients find the cloud through the environment, as in CI.
Object.assign(process.env, cloud.env());
const sink = { write: () => true } as unknown as NodeJS.WritableStream;
const logger = new TerminalLogger({ out: sink, err: sink });
const cloudfront = createCloudFrontClient({});
const kvs = createKeyValueStoreClient({});

/** The time of the last upload of a site file (not a ledger record) the client sent. */
function uploadClock(s3: S3Client): { last: () => number } {
  let last = 0;
  const send = s3.send.bind(s3);
  s3.send = (async (command: { input: { Key?: string } }, ...rest: unknown[]) => {
    const result = await (send as (...args: unknown[]) => Promise<unknown>)(command, ...rest);
    const name = command.constructor.name;
    const key = command.input.Key ?? "";
    if (/^(PutObject|CopyObject|CompleteMultipartUpload)Command$/.test(name)) {
      if (!key.startsWith(".shipline/")) last = performance.now();
    }
    return result;
  }) as S3Client["send"];
  return { last: () => last };
}

const hashed = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 10);

/** A small SPA of one release: pages, robots.txt, 20 hashed assets; every file names it. */
async function writeSite(release: string): Promise<string> {
  const dir = join(work, release);
  await mkdir(join(dir, "assets"), { recursive: true });
  const assets: string[] = [];
  for (let i = 0; i < 20; i++) {
    const js = `console.log("release ${release} chunk ${i}");\n`;
    const name = `assets/chunk-${i}.${hashed(js)}.js`;
    await writeFile(join(dir, name), js);
    assets.push(name);
  }
  const page = (title: string) =>
    `<!doctype html><meta name="release" content="${release}"><title>${title}</title>${assets
      .slice(0, 3)
      .map((asset) => `<script src="/${asset}"></script>`)
      .join("")}\n`;
  await writeFile(join(dir, "index.html"), page("home"));
  await writeFile(join(dir, "about.html"), page("about"));
  await writeFile(join(dir, "robots.txt"), `# release ${release}\n`);
  return dir;
}

async function createSite(bucket: string): Promise<{ id: string; edge: string }> {
  await createS3Client({ concurrency: 4 }).send(new CreateBucketCommand({ Bucket: bucket }));
  const config: DistributionConfig = {
    CallerReference: `bench-${bucket}`,
    Comment: "bench",
    Enabled: true,
    DefaultRootObject: "index.html",
    Origins: {
      Quantity: 1,
      Items: [
        {
          Id: "web",
          DomainName: `${bucket}.s3.us-east-1.amazonaws.com`,
          OriginPath: "",
          S3OriginConfig: { OriginAccessIdentity: "" },
        },
      ],
    },
    DefaultCacheBehavior: {
      TargetOriginId: "web",
      ViewerProtocolPolicy: "redirect-to-https",
      CachePolicyId: CACHING_OPTIMIZED,
    },
    CustomErrorResponses: {
      Quantity: 1,
      Items: [{ ErrorCode: 403, ResponsePagePath: "/index.html", ResponseCode: "200" }],
    },
  };
  const created = await cloudfront.send(
    new CreateDistributionCommand({ DistributionConfig: config }),
  );
  return {
    id: created.Distribution?.Id ?? "",
    edge: `http://${created.Distribution?.DomainName}`,
  };
}

/** Whether every edge request serves `release`: the pages and the home page's assets. */
async function serves(edge: string, release: string): Promise<boolean> {
  const marker = `release ${release}`;
  const bodies = await Promise.all(PAGES.map(async (path) => (await fetch(edge + path)).text()));
  if (!bodies.every((body) => body.includes(marker) || body.includes(`content="${release}"`))) {
    return false;
  }
  const assets = [...(bodies[0] ?? "").matchAll(/src="([^"]+)"/g)].map((match) => match[1]);
  const answers = await Promise.all(
    assets.map(async (asset) => (await fetch(edge + asset)).text()),
  );
  return answers.every((body) => body.includes(marker));
}

/** The moment every edge request serves `release`, polling without pause (bounded). */
async function servedAt(edge: string, release: string): Promise<number | undefined> {
  const started = performance.now();
  while (performance.now() - started < SERVED_LIMIT_MS) {
    if (await serves(edge, release)) return performance.now();
  }
  return undefined;
}

const apiRequests = (since: number) =>
  cloud.requestLog.list({ sinceSeq: since }).filter((entry) => entry.service !== "edge").length;

/**
 * The state a measurement starts from: no invalidation still in progress (it would purge the
 * cache in the middle of the next measurement) and every page cached at the edge.
 */
async function settle(site: { id: string; edge: string }): Promise<void> {
  for (;;) {
    const listed = await cloudfront.send(new ListInvalidationsCommand({ DistributionId: site.id }));
    if ((listed.InvalidationList?.Items ?? []).every((item) => item.Status === "Completed")) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  for (let i = 0; i < 2; i++) {
    for (const path of PAGES) await (await fetch(site.edge + path)).text();
  }
}

/** Whether the unhashed non-page file followed the pages. */
const robotsServes = async (edge: string, release: string) =>
  (await (await fetch(`${edge}/robots.txt`)).text()).includes(`release ${release}`);

interface Outcome {
  robotsBack: boolean;
  switchMs?: number;
  switchRequests: number;
  rollbackMs?: number;
  rollbackRequests: number;
}

const awsEnv = {
  ...process.env,
  ...cloud.env(),
  AWS_CONFIG_FILE: "/dev/null",
  AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
};
const aws = (...args: string[]) =>
  exec(AWS_CLI, [...args, "--endpoint-url", cloud.endpoint], { env: awsEnv });

async function awsSync(a: string, b: string): Promise<Outcome> {
  const site = await createSite("bench-switch-awscli");
  const ship = async (dir: string) => {
    // A fresh checkout, as in CI: sync compares sizes and times, and these files are older
    // than the objects the previous sync wrote.
    const checkout = join(work, `checkout-${Math.random()}`);
    await cp(dir, checkout, { recursive: true, preserveTimestamps: false });
    await aws("s3", "sync", checkout, "s3://bench-switch-awscli/", "--only-show-errors");
    const uploaded = performance.now();
    await aws("cloudfront", "create-invalidation", "--distribution-id", site.id, "--paths", "/*");
    return uploaded;
  };
  await ship(a);
  await servedAt(site.edge, "A");
  await settle(site);
  let since = cloud.requestLog.lastSeq;
  const uploaded = await ship(b);
  const served = await servedAt(site.edge, "B");
  const switchRequests = apiRequests(since);
  await settle(site);
  since = cloud.requestLog.lastSeq;
  const started = performance.now();
  await ship(a);
  const back = await servedAt(site.edge, "A");
  return {
    robotsBack: await robotsServes(site.edge, "A"),
    ...(served ? { switchMs: served - uploaded } : {}),
    switchRequests,
    ...(back ? { rollbackMs: back - started } : {}),
    rollbackRequests: apiRequests(since),
  };
}

async function shipline(mode: "invalidate" | "atomic", a: string, b: string): Promise<Outcome> {
  const bucket = `bench-switch-${mode}`;
  const site = await createSite(bucket);
  const store =
    mode === "atomic"
      ? (await cloudfront.send(new CreateKeyValueStoreCommand({ Name: `${bucket}-live` })))
          .KeyValueStore?.ARN
      : undefined;
  const s3 = createS3Client({ concurrency: 16 });
  const uploads = uploadClock(s3);
  const publish = (source: string, release: string) =>
    publishWeb(
      parsePublishWebInputs({
        source,
        bucket,
        "distribution-id": site.id,
        "release-id": release,
        immutable: "assets/**",
        "web-mode": mode,
        ...(store ? { "key-value-store": store } : {}),
      }),
      { logger, s3, cloudfront: () => cloudfront, keyValueStore: () => kvs },
    );
  await publish(a, "A");
  await servedAt(site.edge, "A");
  await settle(site);
  let since = cloud.requestLog.lastSeq;
  await publish(b, "B");
  const uploaded = uploads.last();
  const served = await servedAt(site.edge, "B");
  const switchRequests = apiRequests(since);
  await settle(site);
  since = cloud.requestLog.lastSeq;
  const started = performance.now();
  const location = { bucket, prefix: "", ledgerPrefix: ".shipline/" };
  if (store) {
    await rollbackAtomic(s3, kvs, location, store, "previous", {
      logger,
      now: new Date().toISOString(),
    });
  } else {
    await restoreWebRelease(
      s3,
      () => cloudfront,
      { site: location, distributionIds: [site.id], wait: false, waitTimeoutMs: 60_000 },
      "previous",
      { clock: { now: Date.now, sleep: async () => {} }, logger },
    );
  }
  const back = await servedAt(site.edge, "A");
  return {
    robotsBack: await robotsServes(site.edge, "A"),
    ...(served ? { switchMs: served - uploaded } : {}),
    switchRequests,
    ...(back ? { rollbackMs: back - started } : {}),
    rollbackRequests: apiRequests(since),
  };
}

try {
  const a = await writeSite("A");
  const b = await writeSite("B");
  const results: [string, Outcome][] = [
    ["aws s3 sync + invalidation /*", await awsSync(a, b)],
    ["shipline web-mode invalidate", await shipline("invalidate", a, b)],
    ["shipline web-mode atomic", await shipline("atomic", a, b)],
  ];
  const ms = (value: number | undefined) =>
    value === undefined ? `> ${SERVED_LIMIT_MS / 1000} s` : `${Math.round(value)} ms`;
  console.log(
    "web release switch through localcloud's edge: 23-file site, CachingOptimized, warm cache; invalidations complete after 1 s, distributions deploy after 1 s (localcloud defaults)\n",
  );
  console.log(
    formatTable(
      [
        "tool",
        "uploaded → every edge request serves it",
        "release API requests",
        "rollback → served",
        "rollback API requests",
        "robots.txt rolled back",
      ],
      results.map(([name, outcome]) => [
        name,
        ms(outcome.switchMs),
        String(outcome.switchRequests),
        ms(outcome.rollbackMs),
        String(outcome.rollbackRequests),
        outcome.robotsBack ? "yes" : "no",
      ]),
    ),
  );
} finally {
  await cloud.dispose();
  await rm(work, { recursive: true, force: true });
}
