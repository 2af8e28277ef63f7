/**
 * Gate benchmark: how fast shipline's deploy-service reacts to what the load balancer says,
 * beside the AWS CLI's `aws ecs wait services-stable` on the same rollouts, on localcloud (tasks
 * are real containers, target health comes from real HTTP checks, time runs at 1/20).
 *
 *   npx tsx bench/gate/run.ts            (BENCH_ROUNDS=3, BENCH_POLL=250ms by default)
 *
 * An observer polls DescribeTargetHealth every 25 ms to know when the load balancer itself
 * changed its mind, so each tool is measured against the same ground truth:
 * - good release: from "every new target healthy" to shipline's verdict, and to the waiter's exit;
 * - bad release (APP_FAULT=unhealthy): from the first new target `unhealthy` to the start of
 *   shipline's rollback (its UpdateService back to the previous revision); the waiter's outcome on
 *   that rollout is shown too.
 * Times are wall-clock milliseconds at localcloud's pace (a 20 s health-check interval is 1 s).
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { DescribeServicesCommand } from "@aws-sdk/client-ecs";
import { DescribeTargetHealthCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { formatTable, TerminalLogger } from "../../actions/src/lib/logger";
import { deployService } from "../../actions/src/service/deploy-service";
import { parseDeployServiceInputs } from "../../actions/src/service/inputs";
import { startServiceStack, waitFor } from "../../actions/test/service/cloud";

const exec = promisify(execFile);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
// A slow poll (BENCH_POLL=20s) lets ECS's circuit breaker win the race, to see that round reported.
const POLL = process.env.BENCH_POLL ?? "250ms";
const HEALTHY_POLLS = process.env.BENCH_HEALTHY_POLLS ?? "3";

const stack = await startServiceStack();
const sink = { write: () => true } as unknown as NodeJS.WritableStream;

/** The load balancer's own view of the new tasks, sampled every 25 ms. */
function observeTargets(knownIps: Set<string>) {
  let running = true;
  const seen = {
    firstUnhealthy: undefined as number | undefined,
    allHealthy: undefined as number | undefined,
  };
  const loop = (async () => {
    while (running) {
      // The time the question was asked: the state it returns was true by then at the latest
      // (an answer that takes long under load must not make the tools look faster).
      const now = Date.now();
      const health = await stack.clients.elb.send(
        new DescribeTargetHealthCommand({ TargetGroupArn: stack.targetGroupArn }),
      );
      const fresh = (health.TargetHealthDescriptions ?? []).filter(
        (d) => !knownIps.has(d.Target?.Id ?? ""),
      );
      if (
        seen.firstUnhealthy === undefined &&
        fresh.some((d) => d.TargetHealth?.State === "unhealthy")
      ) {
        seen.firstUnhealthy = now;
      }
      if (
        seen.allHealthy === undefined &&
        fresh.filter((d) => d.TargetHealth?.State === "healthy").length >= 2
      ) {
        seen.allHealthy = now;
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  })();
  return {
    seen,
    async stop() {
      running = false;
      await loop;
    },
  };
}

async function currentIps(): Promise<Set<string>> {
  const health = await stack.clients.elb.send(
    new DescribeTargetHealthCommand({ TargetGroupArn: stack.targetGroupArn }),
  );
  return new Set((health.TargetHealthDescriptions ?? []).map((d) => d.Target?.Id ?? ""));
}

/** `aws ecs wait services-stable`, started once UpdateService has been called. */
async function awsWaiter(sinceSeq: number) {
  await waitFor("UpdateService", async () =>
    stack.cloud.requestLog.list({ sinceSeq, operation: "UpdateService" }).length > 0
      ? true
      : undefined,
  );
  const started = Date.now();
  try {
    await exec(
      "/usr/bin/aws",
      [
        "ecs",
        "wait",
        "services-stable",
        "--cluster",
        stack.cluster,
        "--services",
        stack.service,
        "--endpoint-url",
        stack.cloud.endpoint,
      ],
      {
        env: { ...process.env, ...stack.cloud.env(), AWS_CONFIG_FILE: "/dev/null" },
        timeout: 600_000,
      },
    );
    return { started, ended: Date.now(), code: 0 };
  } catch (error) {
    return { started, ended: Date.now(), code: (error as { code?: number }).code ?? -1 };
  }
}

async function steady(): Promise<void> {
  await waitFor(
    "a steady service",
    async () => {
      const service = (
        await stack.clients.ecs.send(
          new DescribeServicesCommand({ cluster: stack.cluster, services: [stack.service] }),
        )
      ).services?.[0];
      const [primary, ...others] = service?.deployments ?? [];
      return others.length === 0 && primary?.rolloutState === "COMPLETED" ? true : undefined;
    },
    180_000,
  );
}

async function rollout(environment: string) {
  await steady();
  const known = await currentIps();
  const seq = stack.cloud.requestLog.lastSeq;
  const observer = observeTargets(known);
  const waiter = awsWaiter(seq);
  const started = Date.now();
  const result = await deployService(
    parseDeployServiceInputs({
      cluster: stack.cluster,
      service: stack.service,
      environment,
      "poll-interval": POLL,
      "healthy-polls": HEALTHY_POLLS,
      grace: "1s",
      timeout: "2m",
    }),
    { clients: stack.clients, logger: new TerminalLogger({ out: sink, err: sink }) },
  );
  const verdictAt = Date.now();
  const updates = stack.cloud.requestLog.list({ sinceSeq: seq, operation: "UpdateService" });
  const rollbackAt = updates[1] ? Date.parse(updates[1].time) : undefined;
  const aws = await waiter;
  await observer.stop();
  return { started, result, verdictAt, rollbackAt, aws, truth: observer.seen };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/** A bad round ends one of three ways; each is reported as what it is, none stops the bench. */
type BadRound =
  | { by: "shipline"; ms: number; verdict: string; awsAfterTruth: number; awsCode: number }
  | { by: "ecs"; ms: number; verdict: string; awsAfterTruth: number; awsCode: number }
  | { by: "unmeasured"; round: number; reason: string };

/** When ECS created the deployment its circuit breaker rolled back with. */
async function deploymentCreatedAt(id: string): Promise<number | undefined> {
  const service = (
    await stack.clients.ecs.send(
      new DescribeServicesCommand({ cluster: stack.cluster, services: [stack.service] }),
    )
  ).services?.[0];
  return service?.deployments?.find((d) => d.id === id)?.createdAt?.getTime();
}

/**
 * When ECS's circuit breaker began rolling back during the rollout, from the service event it
 * writes then ("(service web) rolling back to deployment ecs-svc/..."), whatever shipline saw:
 * its gate may fail on the same unhealthy targets a moment later and start a rollback of its own.
 */
async function ecsRollbackEventAt(since: number): Promise<number | undefined> {
  const service = (
    await stack.clients.ecs.send(
      new DescribeServicesCommand({ cluster: stack.cluster, services: [stack.service] }),
    )
  ).services?.[0];
  const times = (service?.events ?? []).flatMap((event) => {
    const at = event.createdAt?.getTime();
    return at !== undefined &&
      at >= since &&
      / rolling back to deployment /.test(event.message ?? "")
      ? [at]
      : [];
  });
  return times.length > 0 ? Math.min(...times) : undefined;
}

/**
 * Who rolled the bad release back first, and how long after the load balancer first saw an
 * unhealthy new target. ECS's circuit breaker (3 failed tasks) sometimes wins the race against
 * the gate on a loaded machine: that is a verdict too, not a crash of the bench.
 */
async function judgeBadRound(
  round: number,
  ko: Awaited<ReturnType<typeof rollout>>,
): Promise<BadRound> {
  const truth = ko.truth.firstUnhealthy;
  const aws = { awsCode: ko.aws.code };
  if (truth === undefined) {
    return {
      by: "unmeasured",
      round,
      reason: `no new target was seen unhealthy (${ko.result.outcome}, ${ko.result.verdict})`,
    };
  }
  const awsAfterTruth = ko.aws.ended - truth;
  const shiplineAt = ko.result.rollback?.by === "shipline" ? ko.rollbackAt : undefined;
  let ecsAt = await ecsRollbackEventAt(ko.started);
  if (ecsAt === undefined && ko.result.rollback?.by === "ecs" && ko.result.rollback.deploymentId) {
    ecsAt = await deploymentCreatedAt(ko.result.rollback.deploymentId);
  }
  if (ecsAt !== undefined && (shiplineAt === undefined || ecsAt <= shiplineAt)) {
    return { by: "ecs", ms: ecsAt - truth, verdict: ko.result.verdict, awsAfterTruth, ...aws };
  }
  if (shiplineAt !== undefined) {
    return {
      by: "shipline",
      ms: shiplineAt - truth,
      verdict: ko.result.verdict,
      awsAfterTruth,
      ...aws,
    };
  }
  if (ko.result.rollback?.by === "ecs") {
    return {
      by: "unmeasured",
      round,
      reason: "ECS rolled back, its deployment and event are gone",
    };
  }
  return {
    by: "unmeasured",
    round,
    reason: `no rollback started (${ko.result.outcome}, ${ko.result.verdict})`,
  };
}

const good: { shipline: number; aws: number; awsCode: number }[] = [];
const goodUnmeasured: string[] = [];
const bad: BadRound[] = [];
try {
  await stack.createService({ RELEASE_ID: "r0" });
  for (let round = 1; round <= ROUNDS; round += 1) {
    try {
      const ok = await rollout(`api:RELEASE_ID=good-${round}`);
      if (ok.result.outcome !== "success" || ok.truth.allHealthy === undefined) {
        goodUnmeasured.push(
          `round ${round}: ${ok.result.outcome} ${ok.result.verdict}${ok.truth.allHealthy === undefined ? ", new targets never all seen healthy" : ""}`,
        );
      } else {
        good.push({
          shipline: ok.verdictAt - ok.truth.allHealthy,
          aws: ok.aws.ended - ok.truth.allHealthy,
          awsCode: ok.aws.code,
        });
      }
    } catch (error) {
      goodUnmeasured.push(`round ${round}: ${(error as Error).message}`);
    }
    try {
      const ko = await rollout(`api:RELEASE_ID=bad-${round}\napi:APP_FAULT=unhealthy`);
      bad.push(await judgeBadRound(round, ko));
    } catch (error) {
      bad.push({ by: "unmeasured", round, reason: (error as Error).message });
    }
    console.error(
      `round ${round}: good ${JSON.stringify(good.at(-1))}, bad ${JSON.stringify(bad.at(-1))}`,
    );
  }
  const byShipline = bad.filter((b) => b.by === "shipline");
  const byEcs = bad.filter((b) => b.by === "ecs");
  const unmeasured = bad.filter((b) => b.by === "unmeasured");
  const measuredBad = [...byShipline, ...byEcs];
  const rounds = (n: number) => `${n} of ${ROUNDS} round(s)`;
  console.log(
    `\ngate benchmark on localcloud, ${ROUNDS} round(s), poll interval ${POLL}, ${HEALTHY_POLLS} healthy polls in a row to pass, LB health check every 1 s\n`,
  );
  console.log(
    formatTable(
      ["rollout", "measure", "shipline deploy-service", "aws ecs wait services-stable"],
      [
        [
          "good",
          "all new targets healthy → verdict (median ms)",
          good.length > 0
            ? `${median(good.map((g) => g.shipline))} (${rounds(good.length)})`
            : "not measured",
          good.length > 0
            ? `${median(good.map((g) => g.aws))} (exit ${good.map((g) => g.awsCode).join("/")})`
            : "not measured",
        ],
        [
          "bad (503 on /healthz)",
          "first new target unhealthy → rollback starts (median ms)",
          byShipline.length > 0
            ? `${median(byShipline.map((b) => b.ms))}, rolled back by shipline (${[...new Set(byShipline.map((b) => b.verdict))].join(", ")}; ${rounds(byShipline.length)})`
            : byEcs.length > 0
              ? "none: ECS's circuit breaker rolled back first"
              : "not measured",
          measuredBad.length > 0
            ? `never rolls back; returns ${median(measuredBad.map((b) => b.awsAfterTruth))} ms after, exit ${measuredBad.map((b) => b.awsCode).join("/")}`
            : "not measured",
        ],
        ...(byEcs.length > 0
          ? [
              [
                "bad (503 on /healthz)",
                "first new target unhealthy → ECS's rollback starts (median ms)",
                `${median(byEcs.map((b) => b.ms))}, rolled back by ECS's circuit breaker before the gate (${[...new Set(byEcs.map((b) => b.verdict))].join(", ")}; ${rounds(byEcs.length)})`,
                "",
              ],
            ]
          : []),
      ],
    ),
  );
  for (const line of goodUnmeasured) console.log(`good rollout not measured, ${line}`);
  for (const b of unmeasured)
    console.log(`bad rollout not measured, round ${b.round}: ${b.reason}`);
  console.log(`\nraw: ${JSON.stringify({ good, bad })}`);
} finally {
  await stack.dispose();
}
