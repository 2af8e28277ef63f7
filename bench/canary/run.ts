/**
 * Canary benchmark: what users see of a release that passes its health checks but fails them,
 * under `rolling` (today's gate) and `canary 10%`, on localcloud (real containers behind the
 * load balancer, CloudFront in front, time at 1/20).
 *
 *   npx tsx bench/canary/run.ts      (BENCH_STRATEGIES=rolling,canary,canary-first-failure
 *                                     BENCH_RATE=50/s
 *                                     BENCH_AFTER=5s, the window measured after the deploy ends;
 *                                     BENCH_APP=stand-in, or api for the sample app's own image;
 *                                     BENCH_LOG=1 prints each deploy's log to stderr)
 *
 * A probe calls /api/version through the edge (CloudFront → ALB → tasks) at a steady rate for
 * the whole run. Per strategy:
 * - bad release (APP_FAULT=api-errors: /healthz answers 200, every /api/* call 500): the share
 *   of the probe's requests that failed while the deploy ran and in the window after it ended,
 *   the time from the first failed request to the start of the rollback (shipline's or ECS's),
 *   and the deploy's exit code;
 * - good release: how long the deploy took, its failed requests, and the time it costs beyond
 *   the rolling deploy of the same release.
 * A bad release a strategy ships (exit 0) is replaced by a good one before the next rollout.
 */
import {
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  ListServiceDeploymentsCommand,
} from "@aws-sdk/client-ecs";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { ExitCode } from "../../actions/src/lib/errors";
import { formatTable, TerminalLogger } from "../../actions/src/lib/logger";
import { run } from "../../actions/src/lib/run";
import type { DeployServiceResult } from "../../actions/src/service/deploy-service";
import { deployService } from "../../actions/src/service/deploy-service";
import { parseDeployServiceInputs } from "../../actions/src/service/inputs";
import { reportDeployService } from "../../actions/src/service/report";
import { createEdge } from "../../actions/test/release/edge";
import { startServiceStack, waitFor } from "../../actions/test/service/cloud";
import type { WebCloud } from "../../actions/test/web/cloud";
import { between, failed, type ProbeRecord, share, startProbe } from "./probe";
import { STRATEGIES, type Strategy } from "./strategies";

const RATE = Number(process.env.BENCH_RATE ?? 50);
const AFTER_MS = parseDuration(process.env.BENCH_AFTER ?? "5s");
const chosen = (process.env.BENCH_STRATEGIES ?? "rolling,canary,canary-first-failure")
  .split(",")
  .map((s) => s.trim());
for (const name of chosen) {
  if (!STRATEGIES[name])
    throw new Error(
      `BENCH_STRATEGIES: unknown strategy "${name}", expected ${Object.keys(STRATEGIES).join(", ")}`,
    );
}

function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(text);
  if (!match) throw new Error(`BENCH_AFTER: expected a duration like 5s or 500ms, got "${text}"`);
  return Number(match[1]) * (match[2] === "s" ? 1000 : 1);
}

const APP = process.env.BENCH_APP ?? "stand-in";
if (APP !== "stand-in" && APP !== "api")
  throw new Error(`BENCH_APP: expected stand-in or api, got "${APP}"`);
// The sample API initialises its embedded database at start, tens of seconds on a busy machine:
// its health checks get the time deploy-api.localcloud.test.ts gives them (120 s here).
const SLOW_START = APP === "api";
const stack = await startServiceStack({ app: APP });

interface Rollout {
  code: ExitCode;
  result?: DeployServiceResult;
  text: string;
  startedAt: number;
  endedAt: number;
  /** The cloud's request log position before the deploy began. */
  sinceSeq: number;
}

async function deploy(strategy: Strategy, environment: string): Promise<Rollout> {
  const lines: string[] = [];
  const stream = {
    write: (chunk: string) => lines.push(...chunk.split("\n").filter(Boolean)),
  } as unknown as NodeJS.WritableStream;
  const logger = new TerminalLogger({ out: stream, err: stream });
  const sinceSeq = stack.cloud.requestLog.lastSeq;
  const startedAt = Date.now();
  let result: DeployServiceResult | undefined;
  const code = await run(async () => {
    result = await deployService(
      parseDeployServiceInputs({
        cluster: stack.cluster,
        service: stack.service,
        environment,
        // The gate as bench/gate runs it: a check a second at the cloud's pace, polled often.
        "gate-interval": "250ms",
        "healthy-polls": "3",
        "grace-period": SLOW_START ? "120s" : "1s",
        "gate-timeout": SLOW_START ? "6m" : "3m",
        ...strategy.inputs,
      }),
      // The stack's clients include CloudWatch: the analysis reads the load balancer's metrics.
      { clients: stack.clients, logger },
    );
    await reportDeployService(result, logger);
  }, logger);
  // run() marks the process failed for a failed deploy; the bench itself has not failed.
  process.exitCode = undefined;
  if (process.env.BENCH_LOG) {
    console.error(
      `--- deploy (${strategy.label}) ${environment.replaceAll("\n", ", ")}: exit ${code}`,
    );
    console.error(lines.join("\n"));
  }
  return {
    code,
    ...(result ? { result } : {}),
    text: lines.join("\n"),
    startedAt,
    endedAt: Date.now(),
    sinceSeq,
  };
}

/**
 * When the way back began: shipline's own call (StopServiceDeployment, or UpdateService to the
 * previous revision), or ECS's rollback when it rolled back by itself (its service deployment's
 * rollback start under a traffic-shifting strategy; the deployment its circuit breaker created
 * under rolling).
 */
async function rollbackStart(rollout: Rollout): Promise<{ at: number; by: string } | undefined> {
  const rollback = rollout.result?.rollback;
  if (!rollback) return undefined;
  if (rollback.by === "ecs") {
    const at =
      (await serviceDeploymentRollback(rollout)) ??
      (await deploymentCreated(rollback.deploymentId));
    return at === undefined ? undefined : { at, by: "ECS" };
  }
  const calls = stack.cloud.requestLog
    .list({ sinceSeq: rollout.sinceSeq, service: "ecs" })
    .filter(
      (entry) => entry.operation === "UpdateService" || entry.operation === "StopServiceDeployment",
    );
  // The first UpdateService rolls the release out; the way back is the call after it.
  const back = calls.find((entry) => entry.operation === "StopServiceDeployment") ?? calls[1];
  return back ? { at: Date.parse(back.time), by: "shipline" } : undefined;
}

async function deploymentCreated(id: string | undefined): Promise<number | undefined> {
  const service = (
    await stack.clients.ecs.send(
      new DescribeServicesCommand({ cluster: stack.cluster, services: [stack.service] }),
    )
  ).services?.[0];
  return service?.deployments?.find((d) => d.id === id)?.createdAt?.getTime();
}

/** The rollback start ECS records on the rollout's service deployment, if it has one. */
async function serviceDeploymentRollback(rollout: Rollout): Promise<number | undefined> {
  const listed = await stack.clients.ecs
    .send(
      new ListServiceDeploymentsCommand({
        cluster: stack.cluster,
        service: stack.service,
        createdAt: { after: new Date(rollout.startedAt - 1000) },
      }),
    )
    .catch(() => undefined);
  const arns = (listed?.serviceDeployments ?? []).flatMap((d) =>
    d.serviceDeploymentArn ? [d.serviceDeploymentArn] : [],
  );
  if (arns.length === 0) return undefined;
  const described = await stack.clients.ecs.send(
    new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: arns }),
  );
  const starts = (described.serviceDeployments ?? []).flatMap((d) =>
    d.rollback?.startedAt ? [d.rollback.startedAt.getTime()] : [],
  );
  return starts.length > 0 ? Math.min(...starts) : undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Waits until the probe has seen `release` answer several calls in a row, none failing. */
async function servingOnly(records: ProbeRecord[], release: string): Promise<void> {
  await waitFor(
    `the edge to serve only ${release}`,
    async () => {
      const last = records.slice(-Math.max(10, RATE));
      return last.length > 0 && last.every((r) => r.status === 200 && r.release === release)
        ? true
        : undefined;
    },
    180_000,
  );
}

interface Row {
  strategy: string;
  bad?: {
    code: ExitCode;
    verdict: string;
    during: ProbeRecord[];
    after: ProbeRecord[];
    firstFailedToRollback: string;
  };
  good?: { code: ExitCode; ms: number; requests: ProbeRecord[] };
  unavailable?: string;
  notes: string[];
}

let lastServiceSettings = JSON.stringify([undefined, undefined]);

/** One strategy's rollouts: a good release, then the bad one; fills `row`. */
async function measure(
  name: string,
  strategy: Strategy,
  row: Row,
  records: ProbeRecord[],
): Promise<void> {
  const inputs = { ...strategy.inputs, ...(await strategy.prepare?.(stack)) };
  const chosenStrategy: Strategy = { ...strategy, inputs };
  // The service's deployment settings as the last rollout left them (analysis is shipline's).
  const serviceSettings = JSON.stringify([inputs.strategy, inputs["bake-time"]]);
  if (serviceSettings !== lastServiceSettings) {
    // The first rollout under a new strategy also changes the service's deployment settings:
    // done once here, unmeasured, so the good release below costs what every later one does.
    const switched = await deploy(
      chosenStrategy,
      `api:RELEASE_ID=switch-${name}\napi:APP_FAULT=none`,
    );
    if (switched.code !== ExitCode.Success)
      throw new Error(`switching the service to ${strategy.label} failed:\n${switched.text}`);
    await servingOnly(records, `switch-${name}`);
  }
  lastServiceSettings = serviceSettings;

  // Good release first: the strategy's cost when nothing is wrong.
  const goodId = `good-${name}`;
  const good = await deploy(chosenStrategy, `api:RELEASE_ID=${goodId}\napi:APP_FAULT=none`);
  row.good = {
    code: good.code,
    ms: good.endedAt - good.startedAt,
    requests: between(records, good.startedAt, good.endedAt),
  };
  if (good.code !== ExitCode.Success)
    row.notes.push(`good release: ${good.text.split("\n").at(-1)}`);
  await servingOnly(records, goodId);

  const bad = await deploy(chosenStrategy, `api:RELEASE_ID=bad-${name}\napi:APP_FAULT=api-errors`);
  await sleep(AFTER_MS);
  const during = between(records, bad.startedAt, bad.endedAt);
  const after = between(records, bad.endedAt, bad.endedAt + AFTER_MS);
  const firstFailed = during.find(failed)?.sentAt;
  const back = await rollbackStart(bad);
  row.bad = {
    code: bad.code,
    verdict: bad.result ? `${bad.result.outcome}, ${bad.result.verdict}` : "no result",
    during,
    after,
    firstFailedToRollback:
      back === undefined
        ? "never rolled back"
        : firstFailed === undefined
          ? `no failed request before the rollback (by ${back.by})`
          : `${secs(back.at - firstFailed)} (by ${back.by})`,
  };
  if (bad.code === ExitCode.Success) {
    // Shipped: put a good release back (the same strategy, so the service keeps its settings).
    const restore = await deploy(
      chosenStrategy,
      `api:RELEASE_ID=restore-${name}\napi:APP_FAULT=none`,
    );
    if (restore.code !== ExitCode.Success)
      throw new Error(`restoring a good release failed:\n${restore.text}`);
    await servingOnly(records, `restore-${name}`);
  } else {
    await servingOnly(records, goodId);
  }
}

const rows: Row[] = [];
let probe: ReturnType<typeof startProbe> | undefined;
try {
  const first = await stack.createService(
    { RELEASE_ID: "r0", APP_FAULT: "none" },
    SLOW_START ? { gracePeriodSeconds: 2400 } : {},
  );
  await waitFor(
    "the first release steady",
    async () => {
      const [primary, ...others] = (await stack.describe()).deployments ?? [];
      return others.length === 0 &&
        primary?.taskDefinition === first &&
        primary.rolloutState === "COMPLETED"
        ? true
        : undefined;
    },
    300_000,
  );
  const bucket = "canary-bench-site";
  await new S3Client({
    endpoint: stack.cloud.endpoint,
    region: stack.cloud.region,
    credentials: stack.cloud.credentials,
    forcePathStyle: true,
  }).send(new CreateBucketCommand({ Bucket: bucket }));
  const distribution = await createEdge(stack, bucket);
  const edge = (stack.cloud as unknown as WebCloud)
    .service<{ edgeUrl(id: string): string }>("cloudfront")
    .edgeUrl(distribution);
  probe = startProbe(`${edge}/api/version`, RATE);
  const records = probe.records;
  await servingOnly(records, "r0");

  for (const name of chosen) {
    const strategy = STRATEGIES[name] as Strategy;
    const row: Row = { strategy: strategy.label, notes: [] };
    rows.push(row);
    if (strategy.unavailable) {
      row.unavailable = strategy.unavailable;
      continue;
    }
    try {
      await measure(name, strategy, row, records);
    } catch (error) {
      // A rollout the bench could not measure is reported; the other strategies still run.
      row.notes.push(`not measured further: ${(error as Error).message}`);
    }
  }
  await probe.stop();

  const rollingGood = rows.find((r) => r.strategy === "rolling")?.good;
  console.log(
    `\ncanary benchmark on localcloud: a probe calls /api/version through CloudFront → ALB at ${RATE}/s; "after" is the ${secs(AFTER_MS)} after the deploy returns; times at localcloud's pace (1/20); deploy-service's gate polls every 250 ms, 3 healthy polls to pass\n`,
  );
  console.log(
    formatTable(
      [
        "strategy",
        "bad: failed during deploy",
        "bad: failed after",
        "bad: first failure → rollback starts",
        "bad: exit",
        "good: deploy time",
        "good: extra vs rolling",
        "good: failed",
      ],
      rows.map((row) =>
        row.unavailable
          ? [row.strategy, "not measured", "", "", "", "", "", ""]
          : [
              row.strategy,
              row.bad ? share(row.bad.during) : "",
              row.bad ? share(row.bad.after) : "",
              row.bad?.firstFailedToRollback ?? "",
              row.bad ? `${row.bad.code} (${row.bad.verdict})` : "",
              row.good ? `${secs(row.good.ms)} (exit ${row.good.code})` : "",
              row.good && rollingGood
                ? row.strategy === "rolling"
                  ? "baseline"
                  : `${row.good.ms >= rollingGood.ms ? "+" : "-"}${secs(Math.abs(row.good.ms - rollingGood.ms))}`
                : "",
              row.good ? share(row.good.requests) : "",
            ],
      ),
    ),
  );
  for (const name of chosen) {
    const { label, inputs } = STRATEGIES[name] as Strategy;
    const settings = Object.entries(inputs).map(
      ([key, value]) => `${key}: ${value.replaceAll("\n", ", ")}`,
    );
    console.log(
      `${label}: ${settings.length > 0 ? settings.join("; ") : "deploy-service's defaults"}`,
    );
  }
  for (const row of rows) {
    if (row.unavailable) console.log(`${row.strategy} not measured: ${row.unavailable}`);
    for (const note of row.notes) console.log(`${row.strategy}: ${note}`);
  }
} finally {
  await probe?.stop();
  await stack.dispose();
}
