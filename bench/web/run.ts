/**
 * Web publish benchmark: `shipline publish-web` against Debian's `aws s3 sync` (AWS CLI v2,
 * /usr/bin/aws) on the same localcloud S3, with a 2,000-file SPA-like tree of about 60 MB.
 *
 *   npx tsx bench/web/run.ts
 *
 * How fast a release and a rollback reach the edge in each web mode: bench/web/switch.ts.
 *
 * Scenarios, each for both tools, into a bucket of its own:
 *   1. first upload into an empty bucket;
 *   2. a fresh checkout of the same tree (every mtime new, as in CI), nothing changed;
 *   3. a fresh checkout with 1% of the files changed (20 files; half keep their size).
 * Each tool runs with its default number of transfers at once (aws: 10, shipline: 16). Requests
 * and bytes are what localcloud's request log recorded for S3 during each run.
 */
import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { formatTable, TerminalLogger } from "../../actions/src/lib/logger";
import { createS3Client } from "../../actions/src/web/clients";
import { parsePublishWebInputs } from "../../actions/src/web/inputs";
import { publishWeb } from "../../actions/src/web/publish-web";

const exec = promisify(execFile);
const AWS_CLI = "/usr/bin/aws";
const FILES = 2000;

/** Deterministic bytes: a SHA-256 stream seeded by the file's name and version. */
function content(seed: string, size: number): Buffer {
  const out = Buffer.alloc(size);
  let block = createHash("sha256").update(seed).digest();
  for (let offset = 0; offset < size; offset += block.length) {
    block.copy(out, offset);
    block = createHash("sha256").update(block).digest();
  }
  return out;
}

/** Sizes from 2 KiB to ~58 KiB, spread so the tree totals about 60 MB. */
const sizeOf = (i: number) => 2048 + ((i * 7919) % 57_000);

async function writeTree(root: string, changed: ReadonlySet<number> = new Set()): Promise<void> {
  const immutable: string[] = [];
  for (let i = 0; i < FILES - 1; i++) {
    const folder = ["assets/js", "assets/css", "assets/img", "static/docs"][i % 4] ?? "assets";
    const path = `${folder}/file-${i}.${i % 4 === 1 ? "css" : i % 4 === 2 ? "png" : "js"}`;
    const size = sizeOf(i) + (changed.has(i) && i % 2 === 0 ? 1 : 0);
    await mkdir(join(root, dirname(path)), { recursive: true });
    await writeFile(join(root, path), content(`${path}:${changed.has(i) ? "v2" : "v1"}`, size));
    if (!path.startsWith("static/")) immutable.push(path);
  }
  await writeFile(
    join(root, "index.html"),
    `<!doctype html><title>bench</title><p>${changed.size}</p>\n`,
  );
  await writeFile(
    join(root, "asset-manifest.json"),
    JSON.stringify({
      basePath: "/",
      entryPoints: ["index.html"],
      immutable,
      releaseId: `bench-${changed.size}`,
    }),
  );
}

interface Measure {
  ms: number;
  requests: number;
  bytes: number;
  puts: number;
}

interface LogEntry {
  seq: number;
  operation: string;
  bytesIn: number;
}

/** localcloud's S3 in its own process; its request log read over the control endpoint. */
async function startS3() {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(import.meta.dirname, "s3-server.ts")],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const [line] = (await once(child.stdout, "data")) as [Buffer];
  const info = JSON.parse(line.toString().split("\n")[0] ?? "") as {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
    env: Record<string, string>;
  };
  const log = async (since: number): Promise<LogEntry[]> =>
    (
      await fetch(`${info.endpoint}/_localcloud/requests?since=${since}&service=s3`)
    ).json() as Promise<LogEntry[]>;
  return {
    ...info,
    log,
    lastSeq: async () => (await log(0)).at(-1)?.seq ?? 0,
    stop: async () => {
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}

const work = await mkdtemp(join(tmpdir(), "bench-web-"));
const cloud = await startS3();
try {
  // shipline's own S3 client (keep-alive sockets sized to the concurrency), found by the SDK
  // through the environment as in CI.
  Object.assign(process.env, cloud.env);
  const s3 = createS3Client({
    concurrency: parsePublishWebInputs({ source: ".", bucket: "bench-shipline" }).concurrency,
  });
  for (const bucket of ["bench-shipline", "bench-awscli"])
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const original = join(work, "original");
  await writeTree(original);
  const changedFiles = new Set(Array.from({ length: FILES / 100 }, (_, i) => i * 97 + 3));
  const changedTree = join(work, "changed-original");
  await writeTree(changedTree, changedFiles);

  const sink = { write: () => true } as unknown as NodeJS.WritableStream;
  const logger = new TerminalLogger({ out: sink, err: sink });

  const measure = async (run: () => Promise<void>): Promise<Measure> => {
    const since = await cloud.lastSeq();
    const started = performance.now();
    await run();
    const ms = performance.now() - started;
    // The log records a call once its response is finished: give the last one a moment.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const entries = await cloud.log(since);
    return {
      ms,
      requests: entries.length,
      bytes: entries.reduce((total, entry) => total + entry.bytesIn, 0),
      puts: entries.filter(
        (entry) => entry.operation === "PutObject" || entry.operation === "CopyObject",
      ).length,
    };
  };
  const shipline = (source: string) =>
    measure(async () => {
      await publishWeb(parsePublishWebInputs({ source, bucket: "bench-shipline" }), {
        logger,
        s3,
        cloudfront: () => {
          throw new Error("no distribution in the bench");
        },
      });
    });
  const awsSync = (source: string) =>
    measure(async () => {
      await exec(
        AWS_CLI,
        [
          "s3",
          "sync",
          source,
          "s3://bench-awscli/",
          "--delete",
          "--only-show-errors",
          "--endpoint-url",
          cloud.endpoint,
        ],
        {
          env: {
            ...process.env,
            ...cloud.env,
            AWS_CONFIG_FILE: "/dev/null",
            AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
          },
          maxBuffer: 64 * 1024 * 1024,
        },
      );
    });
  /** A fresh checkout: the same files copied anew, so every mtime is now. */
  const checkout = async (from: string, name: string) => {
    const to = join(work, name);
    await cp(from, to, { recursive: true, preserveTimestamps: false });
    return to;
  };

  const rows: string[][] = [];
  const scenarios: { name: string; source: () => Promise<string> }[] = [
    { name: "first upload", source: async () => original },
    {
      name: "fresh checkout, unchanged",
      source: () => checkout(original, `fresh-${Math.random()}`),
    },
    {
      name: "fresh checkout, 1% changed",
      source: () => checkout(changedTree, `changed-${Math.random()}`),
    },
  ];
  /** How many times more aws s3 sync needed; "all" when shipline needed none. */
  const ratio = (theirs: number, ours: number) =>
    ours === 0 ? `${theirs > 0 ? "∞" : "1"}×` : `${(theirs / ours).toFixed(1)}×`;
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
  for (const scenario of scenarios) {
    const ours = await shipline(await scenario.source());
    const theirs = await awsSync(await scenario.source());
    rows.push(
      [
        scenario.name,
        "shipline publish-web",
        `${Math.round(ours.ms)} ms`,
        String(ours.requests),
        String(ours.puts),
        mb(ours.bytes),
        "",
      ],
      [
        "",
        "aws s3 sync",
        `${Math.round(theirs.ms)} ms`,
        String(theirs.requests),
        String(theirs.puts),
        mb(theirs.bytes),
        `${ratio(theirs.ms, ours.ms)} the time, ${ratio(theirs.requests, ours.requests)} the requests, ${ratio(theirs.bytes, ours.bytes)} the bytes`,
      ],
    );
  }
  const total = Array.from({ length: FILES - 1 }, (_, i) => sizeOf(i)).reduce((a, b) => a + b, 0);
  console.log(
    `web publish: ${FILES} files, ${mb(total)}, ${changedFiles.size} changed in the last scenario, each tool's default concurrency, localcloud S3 on loopback\n`,
  );
  console.log(
    formatTable(
      ["scenario", "tool", "wall time", "requests", "puts/copies", "sent", "aws s3 sync needed"],
      rows,
    ),
  );
} finally {
  await cloud.stop();
  await rm(work, { recursive: true, force: true });
}
