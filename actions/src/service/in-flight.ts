import {
  DescribeServiceDeploymentsCommand,
  ListServiceDeploymentsCommand,
  type ServiceDeploymentBrief,
  type ServiceDeploymentStatus,
} from "@aws-sdk/client-ecs";
import type { Clock } from "../lib/clock";
import { TimeoutError } from "../lib/errors";
import type { Logger } from "../lib/logger";
import { retryTransient } from "../lib/retry";
import type { ServiceClients } from "./clients";

/**
 * The service deployment statuses of AWS's "pending" and "ongoing" stages: ECS has not finished
 * with the deployment. A change sent meanwhile replaces it: a rollback under way (after a
 * StopServiceDeployment, an alarm, the circuit breaker) would end STOPPED instead of
 * ROLLBACK_SUCCESSFUL, and production traffic may still be on its way back to the old revision.
 */
export const IN_FLIGHT_STATUSES: readonly ServiceDeploymentStatus[] = [
  "PENDING",
  "IN_PROGRESS",
  "STOP_REQUESTED",
  "ROLLBACK_REQUESTED",
  "ROLLBACK_IN_PROGRESS",
];

/** A service deployment ECS has not finished with, as listed. */
export interface InFlight {
  arn: string;
  status: string;
  /** Its deploymentConfiguration.strategy, when read (ROLLING when ECS names none). */
  strategy?: string;
}

/**
 * A rolling deployment still starting or replacing tasks is one a new deployment supersedes, as
 * ECS intends: waiting for it would hold every deploy that follows a quick one for as long as the
 * old tasks drain (the target group's deregistration delay, 300 s by default). Rollbacks and
 * stops, and the deployments of a strategy that moves traffic, are waited for.
 */
export function supersedable(deployment: InFlight): boolean {
  return (
    (deployment.status === "PENDING" || deployment.status === "IN_PROGRESS") &&
    deployment.strategy === "ROLLING"
  );
}

/** What to do after one look at the service's deployments. */
export interface InFlightStep {
  /** Seen in flight for the first time: one line each. */
  started: InFlight[];
  /** Seen in flight before and no longer: their final status is read and told. */
  ended: string[];
  /**
   * proceed: nothing in flight; report: a dry run names what a run would wait for; wait: look
   * again after the interval; timed-out: still in flight at the deadline, nothing may change.
   */
  action: "proceed" | "report" | "wait" | "timed-out";
}

/**
 * Pure: from the deployments in flight now and those already told (arn → status), what to tell
 * and whether to go on, look again, or give up.
 */
export function planInFlightWait(
  inFlight: readonly InFlight[],
  told: ReadonlySet<string>,
  options: { now: number; deadline: number; dryRun: boolean },
): InFlightStep {
  const current = inFlight.filter(
    (d) => IN_FLIGHT_STATUSES.includes(d.status as never) && !supersedable(d),
  );
  const arns = new Set(current.map((d) => d.arn));
  const started = current.filter((d) => !told.has(d.arn));
  const ended = [...told].filter((arn) => !arns.has(arn));
  const action =
    current.length === 0
      ? "proceed"
      : options.dryRun
        ? "report"
        : options.now >= options.deadline
          ? "timed-out"
          : "wait";
  return { started, ended, action };
}

export interface InFlightWait {
  cluster: string;
  service: string;
  /** How long the service's deployments may take to end (the command's gate timeout). */
  timeoutMs: number;
  /** The input that sets `timeoutMs`, named when it runs out. */
  timeoutInput: string;
  pollIntervalMs: number;
  dryRun?: boolean;
}

/**
 * Before a change starts a service deployment: waits until ECS has none of the service's in
 * flight, telling which one it waits for and how it ended. Nothing is changed; still in flight
 * at the deadline is a TimeoutError (exit 3). A dry run tells what it would wait for.
 */
export async function waitForInFlightDeployments(
  clients: Pick<ServiceClients, "ecs">,
  wait: InFlightWait,
  deps: { clock: Clock; logger: Logger; signal?: AbortSignal },
): Promise<void> {
  const { clock, logger } = deps;
  const deadline = clock.now() + wait.timeoutMs;
  const patience = { clock, logger, deadline, ...(deps.signal ? { signal: deps.signal } : {}) };
  const told = new Set<string>();
  for (;;) {
    const listed = await retryTransient(
      "ListServiceDeployments",
      () => listInFlight(clients, wait.cluster, wait.service),
      patience,
    );
    const step = planInFlightWait(listed, told, {
      now: clock.now(),
      deadline,
      dryRun: wait.dryRun === true,
    });
    for (const arn of step.ended) {
      const status = await retryTransient(
        "DescribeServiceDeployments",
        () => finalStatus(clients, arn),
        patience,
      );
      logger.info(`${wait.service}: service deployment ${arn} ended ${status}`);
      told.delete(arn);
    }
    for (const deployment of step.started) {
      logger.info(
        wait.dryRun
          ? `${wait.service}: service deployment ${deployment.arn} is ${deployment.status}: a run would wait for it to end (at most ${seconds(wait.timeoutMs)}) before changing the service`
          : `${wait.service}: service deployment ${deployment.arn} is ${deployment.status}: waiting for it to end before changing the service (at most ${seconds(wait.timeoutMs)})`,
      );
      told.add(deployment.arn);
    }
    if (step.action === "proceed" || step.action === "report") return;
    if (step.action === "timed-out") {
      const still = listed.map((d) => `${d.arn} (${d.status})`).join(", ");
      throw new TimeoutError(
        `${wait.service}: service deployment ${still} still in flight after ${seconds(wait.timeoutMs)} (input "${wait.timeoutInput}"): nothing was changed; run again once ECS has finished with it`,
      );
    }
    await clock.sleep(Math.min(wait.pollIntervalMs, deadline - clock.now()), deps.signal);
  }
}

async function listInFlight(
  clients: Pick<ServiceClients, "ecs">,
  cluster: string,
  service: string,
): Promise<InFlight[]> {
  const found: InFlight[] = [];
  let nextToken: string | undefined;
  do {
    const page = await clients.ecs
      .send(
        new ListServiceDeploymentsCommand({
          cluster,
          service,
          status: [...IN_FLIGHT_STATUSES],
          ...(nextToken ? { nextToken } : {}),
        }),
      )
      .catch((error: unknown) => {
        // No such cluster or service: nothing in flight. The read of the service that follows
        // names the input that is wrong (exit 4), as it did before this wait.
        const name = (error as { name?: string }).name;
        if (name === "ClusterNotFoundException" || name === "ServiceNotFoundException") {
          return { serviceDeployments: [], nextToken: undefined };
        }
        throw error;
      });
    found.push(...(page.serviceDeployments ?? []).flatMap(briefOf));
    nextToken = page.nextToken;
  } while (nextToken);
  return withStrategies(clients, found);
}

/** DescribeServiceDeployments takes at most 20 ARNs. */
const DESCRIBE_BATCH = 20;

/** Reads the strategy of the deployments still starting or running (see supersedable). */
async function withStrategies(
  clients: Pick<ServiceClients, "ecs">,
  found: InFlight[],
): Promise<InFlight[]> {
  const ongoing = found.filter((d) => d.status === "PENDING" || d.status === "IN_PROGRESS");
  const strategies = new Map<string, string>();
  for (let start = 0; start < ongoing.length; start += DESCRIBE_BATCH) {
    const described = await clients.ecs.send(
      new DescribeServiceDeploymentsCommand({
        serviceDeploymentArns: ongoing.slice(start, start + DESCRIBE_BATCH).map((d) => d.arn),
      }),
    );
    for (const deployment of described.serviceDeployments ?? []) {
      if (!deployment.serviceDeploymentArn) continue;
      strategies.set(
        deployment.serviceDeploymentArn,
        deployment.deploymentConfiguration?.strategy ?? "ROLLING",
      );
    }
  }
  return found.map((d) => {
    const strategy = strategies.get(d.arn);
    return strategy ? { ...d, strategy } : d;
  });
}

function briefOf(brief: ServiceDeploymentBrief): InFlight[] {
  return brief.serviceDeploymentArn && brief.status
    ? [{ arn: brief.serviceDeploymentArn, status: brief.status }]
    : [];
}

async function finalStatus(clients: Pick<ServiceClients, "ecs">, arn: string): Promise<string> {
  const described = await clients.ecs.send(
    new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }),
  );
  const found = described.serviceDeployments?.[0];
  if (!found?.status) return "(no longer described)";
  return `${found.status}${found.statusReason ? ` (${found.statusReason})` : ""}`;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}
