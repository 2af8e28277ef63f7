import { type ChildProcess, spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { stringify } from "yaml";
import { runCli } from "../../src/cli/program";
import { Ledger } from "../../src/ledger/releases";
import { TerminalLogger } from "../../src/lib/logger";
import { readLock } from "../../src/release/lock";
import { REPO_ROOT } from "../helpers/fixtures";
import { type ServiceStack, startServiceStack, waitFor, waitSteadyOn } from "../service/cloud";
import { buildSite, createDistribution, tempDir, type WebCloud } from "../web/cloud";

/**
 * A deploy meeting bad weather and a cancelled job, on localcloud with real tasks: transient
 * AWS errors during the gate are ridden out and the verdict still comes from observations; a
 * permanent failure ends in exit 3 naming the operation, the service back where it was; SIGINT
 * during the gate puts the service back, records `cancelled`, releases the lock and exits 130.
 */
let stack: ServiceStack;
let cloud: WebCloud;
let tmp = "";
let site = "";
let configFile = "";
const BUCKET = "weather-site";
const ledger = () => new Ledger(s3(), BUCKET, ".shipline/", "production");

beforeAll(async () => {
  stack = await startServiceStack();
  const first = await stack.createService({ RELEASE_ID: "r0" });
  await waitSteadyOn(stack, first);
  cloud = stack.cloud as unknown as WebCloud;
  await s3().send(new CreateBucketCommand({ Bucket: BUCKET }));
  const distribution = await createDistribution(cloud, BUCKET);
  tmp = await tempDir("weather");
  site = (await buildSite(join(tmp, "web"), { releaseId: "weather" })).dir;
  configFile = join(tmp, "shipline.yml");
  await writeFile(
    configFile,
    stringify({
      version: 1,
      region: stack.cloud.region,
      environments: {
        production: {
          cluster: stack.cluster,
          service: stack.service,
          // Built earlier: every deploy here passes the image with --images, nothing is built.
          containers: { api: { repository: "shipline/api" } },
          bucket: BUCKET,
          distributions: [distribution],
          // The shortest poll interval a release accepts; two healthy polls keep each gate short.
          gate: { timeout: "90s", interval: "1s", "healthy-polls": 2, "grace-period": "1s" },
          // Far longer than the test: a lock left behind would block the next deploy.
          "lock-ttl": "30m",
        },
      },
    }),
  );
}, 300_000);

afterEach(() => cloud?.faults.clear());
afterAll(async () => {
  await stack?.dispose();
});

const s3 = () =>
  new S3Client({
    endpoint: stack.cloud.endpoint,
    region: stack.cloud.region,
    credentials: stack.cloud.credentials,
    forcePathStyle: true,
  });

/** The environment of a CI run number `run`: localcloud's endpoints, the config, the CI's ids. */
function runEnv(run: number): Record<string, string> {
  return {
    ...stack.cloud.env(),
    AWS_REGION: stack.cloud.region,
    SHIPLINE_CONFIG: configFile,
    GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567",
    GITHUB_RUN_ID: String(run),
    GITHUB_ACTOR: "tester",
  };
}

const releaseOf = (run: number) => `0123456789ab-${run}.1`;
/** Every deploy rolls out a new task definition: its own variable, whatever ran before. */
const changeOf = (run: number) => [
  "--images",
  `api=${run % 2 ? stack.apiImageNext : stack.apiImage}`,
  "--container-env",
  `api:DEPLOY_RUN=${run}`,
];

/**
 * `shipline deploy` in this process (the SDK clients as shipline makes them, so its own retry
 * settings apply). `onLine` sees each output line as it is written, e.g. to inject a fault.
 */
async function deployInProcess(
  run: number,
  onLine: (line: string) => void = () => {},
  extra: string[] = [],
): Promise<{ code: number; output: string }> {
  const lines: string[] = [];
  const stream = {
    write: (chunk: string) => {
      for (const line of chunk.split("\n").filter(Boolean)) {
        lines.push(line);
        onLine(line);
      }
      return true;
    },
  } as unknown as NodeJS.WritableStream;
  const env = runEnv(run);
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  try {
    const code = await runCli(["deploy", ...changeOf(run), "--source", site, ...extra], {
      env,
      logger: new TerminalLogger({ out: stream, err: stream }),
    });
    return { code, output: lines.join("\n") };
  } finally {
    vi.unstubAllEnvs();
  }
}

/** The fault starts once the gate is waiting, as a burst of API errors would. */
const duringGate = (fault: Parameters<WebCloud["faults"]["add"]>[0]) => {
  let added = false;
  return (line: string) => {
    if (!added && line.includes("gate: waiting")) {
      added = true;
      cloud.faults.add(fault);
    }
  };
};

const faultsLogged = (since: number) =>
  stack.cloud.requestLog
    .list({ sinceSeq: since })
    .filter((entry) => "fault" in entry && entry.fault);

describe("transient AWS errors during the gate are weather, not verdicts", () => {
  it("a first release goes live", async () => {
    const result = await deployInProcess(1);
    expect(result.code, result.output).toBe(0);
  }, 180_000);

  it("six 500s on DescribeTargetHealth while the gate waits: the release still gets its verdict", async () => {
    const since = stack.cloud.requestLog.lastSeq;
    const result = await deployInProcess(
      2,
      duringGate({ service: "elbv2", operation: "DescribeTargetHealth", kind: "error", count: 6 }),
    );
    expect(result.code, result.output).toBe(0);
    expect(faultsLogged(since)).toHaveLength(6);
    expect(result.output).toMatch(/gate: passed/);
    expect((await ledger().live())?.value.releaseId).toBe(releaseOf(2));
  }, 180_000);

  it("five throttles on DescribeServices while the gate waits: likewise", async () => {
    const since = stack.cloud.requestLog.lastSeq;
    const result = await deployInProcess(
      3,
      duringGate({ service: "ecs", operation: "DescribeServices", kind: "throttle", count: 5 }),
    );
    expect(result.code, result.output).toBe(0);
    expect(faultsLogged(since)).toHaveLength(5);
    expect((await ledger().live())?.value.releaseId).toBe(releaseOf(3));
  }, 180_000);

  it("a permanent 500 on DescribeTargetHealth: exit 3 naming the operation, the service put back", async () => {
    const before = (await stack.describe()).taskDefinition;
    const result = await deployInProcess(
      4,
      duringGate({ service: "elbv2", operation: "DescribeTargetHealth", kind: "error" }),
      // The shortest gate-timeout a release accepts: the retries run out at this deadline.
      ["--gate-timeout", "30s"],
    );
    cloud.faults.clear();
    expect(result.code, result.output).toBe(3);
    expect(result.output).toMatch(
      /ELBv2 DescribeTargetHealth kept failing \(HTTP 500 InternalError\)/,
    );
    // Consistent: the service returns to the live release's task definition, the ledger says
    // failed, the live pointer has not moved, the lock is free.
    expect((await stack.describe()).taskDefinition).toBe(before);
    expect((await ledger().read(releaseOf(4)))?.status).toBe("failed");
    expect((await ledger().live())?.value.releaseId).toBe(releaseOf(3));
    expect(await readLock(s3(), BUCKET, ".shipline/", "production")).toBeUndefined();
  }, 180_000);
});

interface Spawned {
  child: ChildProcess;
  output: string;
  done: Promise<number | null>;
}

/** `shipline deploy` as its own process, from the sources, as a CI job runs it. */
function spawnDeploy(run: number): Spawned {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "actions/src/cli/main.ts", "deploy", ...changeOf(run), "--source", site],
    { cwd: REPO_ROOT, env: { ...process.env, ...runEnv(run) } },
  );
  const result: Spawned = {
    child,
    output: "",
    done: new Promise((resolve) => child.on("close", (code) => resolve(code))),
  };
  child.stdout?.on("data", (chunk: Buffer) => {
    result.output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    result.output += chunk.toString();
  });
  return result;
}

describe("a deploy cancelled during the gate", () => {
  it.each([
    { signal: "SIGINT" as const, code: 130, run: 5 },
    { signal: "SIGTERM" as const, code: 143, run: 7 },
  ])(
    "$signal: exit $code within seconds, service back, cancelled recorded, lock released, next deploy at once",
    async ({ signal, code: expectedCode, run }) => {
      const before = (await stack.describe()).taskDefinition;
      const liveBefore = (await ledger().live())?.value.releaseId;
      const victim = spawnDeploy(run);
      await waitFor(
        "the cancelled deploy's gate",
        async () => {
          if (victim.child.exitCode !== null)
            throw new Error(`deploy ended early:\n${victim.output}`);
          return victim.output.includes("gate: waiting") ? true : undefined;
        },
        120_000,
      );
      const signalledAt = Date.now();
      victim.child.kill(signal);
      const code = await victim.done;
      const stoppedInMs = Date.now() - signalledAt;
      console.log(`${signal} to exit: ${stoppedInMs} ms`);
      expect(code, victim.output).toBe(expectedCode);
      expect(stoppedInMs).toBeLessThan(10_000);
      expect(victim.output).toContain(`${signal}: stopping at the next safe point`);

      expect((await stack.describe()).taskDefinition).toBe(before);
      expect(await ledger().read(releaseOf(run))).toMatchObject({
        status: "cancelled",
        failure: { step: "service" },
      });
      expect((await ledger().live())?.value.releaseId).toBe(liveBefore);
      expect(await readLock(s3(), BUCKET, ".shipline/", "production")).toBeUndefined();

      // The next deploy starts at once (the lock TTL is 30 minutes) and goes live.
      const next = await deployInProcess(run + 1);
      expect(next.code, next.output).toBe(0);
      expect(next.output).not.toContain("locked by");
      expect((await ledger().live())?.value.releaseId).toBe(releaseOf(run + 1));
    },
    240_000,
  );
});
