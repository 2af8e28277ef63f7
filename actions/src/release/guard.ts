import {
  type CloudWatchClient,
  DescribeAlarmsCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
} from "@aws-sdk/client-cloudwatch";
import {
  type DeploymentConfiguration,
  DescribeServicesCommand,
  type ECSClient,
  type Service,
} from "@aws-sdk/client-ecs";
import { CancelledError } from "../lib/cancel";
import type { Clock } from "../lib/clock";
import type { Logger } from "../lib/logger";

/**
 * The release guard, a dead man's switch for the window between the release's UpdateService and
 * its commit point (the web entry points live). Before the rollout the run arms a CloudWatch alarm
 * on a heartbeat metric it keeps putting, with missing data breaching, and names that alarm in the
 * deployment's `deploymentConfiguration.alarms` (rollback on). ECS monitors deployment alarms
 * during the rollout and the bake time after it: should the run die (kill -9, a lost runner), the
 * heartbeat stops, the alarm goes to ALARM and ECS fails the deployment and rolls the service
 * back to the last completed deployment, the live release — so the API returns to what the SPA
 * still is, with no further command. At the commit point the alarm is disarmed (missing data no
 * longer breaching), so the release going live is never rolled back once the heartbeat stops: a
 * deploy disarms right before its entry points are written (web-mode atomic: right before its
 * PutKey), a rollback once they are back (its PutKey answered).
 *
 * Left uncovered: a deploy that dies while it writes its entry points (the API ahead of the site,
 * as without the guard), a rollback that dies between its entry points being back and the disarm
 * call (one call: ECS then returns the API to the release rolled back from, again ahead of the
 * site), and a run whose web step outlasts ECS's bake time (ECS stops monitoring when the
 * deployment completes).
 */
export const HEARTBEAT_NAMESPACE = "Shipline";
export const HEARTBEAT_METRIC = "ReleaseHeartbeat";
/** CloudWatch's high-resolution alarm period: the shortest there is. */
const PERIOD_SECONDS = 10;
/** Two silent periods in a row: one lost put (weather) never rolls a healthy release back. */
const EVALUATION_PERIODS = 2;

/** ECS's bake time is its own to choose; a live deployment still baking after this is left be. */
const LIVE_DEPLOYMENT_WAIT_MS = 5 * 60_000;

export const heartbeatAlarmName = (environment: string): string =>
  `shipline-${environment}-release-heartbeat`;

export interface GuardSettings {
  environment: string;
  cluster: string;
  service: string;
  clock: Clock;
  logger: Logger;
  /**
   * Between two heartbeats: a fifth of the alarm period (2 s) unless set, for a cloud that runs
   * faster than AWS's pace, whose periods last five of these heartbeats.
   */
  heartbeatMs?: number;
  signal?: AbortSignal;
}

export class ReleaseGuard {
  private timer: ReturnType<typeof setInterval> | undefined;
  /** Beats under way: a slow one (in its SDK retries) does not hold the next back. */
  private readonly inFlight = new Set<Promise<void>>();
  private armed = false;
  private failedPuts = 0;
  readonly alarmName: string;

  constructor(
    private readonly clients: { cloudwatch: CloudWatchClient; ecs: ECSClient },
    private readonly settings: GuardSettings,
  ) {
    this.alarmName = heartbeatAlarmName(settings.environment);
  }

  private get heartbeatMs(): number {
    return this.settings.heartbeatMs ?? (PERIOD_SECONDS * 1000) / 5;
  }

  private get dimensions() {
    return [{ Name: "Environment", Value: this.settings.environment }];
  }

  /**
   * Arms the guard for the deployment about to start on `service`; returns the
   * deploymentConfiguration its UpdateService sends, or undefined when it goes unguarded (a
   * deployment controller other than ECS, or CloudWatch unreachable: said in a warning).
   */
  async arm(service: Service): Promise<DeploymentConfiguration | undefined> {
    const { logger } = this.settings;
    const controller = service.deploymentController?.type ?? "ECS";
    if (controller !== "ECS") {
      logger.info(
        `release guard: skipped, deployment alarms need the ECS deployment controller (${this.settings.service} uses ${controller})`,
      );
      return undefined;
    }
    try {
      // First the live deployment settles, before any alarm can touch it: ECS watches the
      // service's alarms during its bake time too.
      await this.until(
        "ECS to finish the live deployment (its bake time), so that a rollback returns to it",
        () => this.liveDeploymentDone(),
        LIVE_DEPLOYMENT_WAIT_MS,
      );
      // The heartbeat first, back to the alarm's whole evaluation range: the run was alive then,
      // and the alarm (re)armed finds every period of its range with data.
      // (Backdated by the period's real length: on a cloud faster than AWS's pace, the period
      // lasts five heartbeats there too.) An alarm still OK from its last disarm would otherwise
      // turn ALARM at its first evaluation, on periods before the arm, and fail this deployment.
      const now = this.settings.clock.now();
      const periodMs = this.heartbeatMs * 5;
      await this.put(Array.from({ length: EVALUATION_PERIODS + 1 }, (_, i) => now - i * periodMs));
      this.timer = setInterval(() => this.beat(), this.heartbeatMs);
      this.timer.unref();
      await this.putAlarm("breaching");
      this.armed = true;
      await this.until(
        "the heartbeat alarm to be OK",
        async () => (await this.state()) === "OK",
        6 * PERIOD_SECONDS * 1000,
      );
    } catch (error) {
      if (error instanceof CancelledError) {
        await this.stop();
        throw error;
      }
      logger.warning(
        `release guard: not armed (${(error as Error).message}); a runner that dies before the entry points are live leaves the API ahead of the SPA until the next command`,
      );
      await this.stop();
      return undefined;
    }
    const own = service.deploymentConfiguration?.alarms;
    const names = [...new Set([...(own?.enable ? (own.alarmNames ?? []) : []), this.alarmName])];
    logger.info(
      `release guard: armed (alarm ${this.alarmName}; ECS rolls the service back if this run stops before the entry points are live)`,
    );
    return {
      ...service.deploymentConfiguration,
      alarms: { alarmNames: names, enable: true, rollback: true },
    };
  }

  /** The commit point: missing heartbeats no longer breach, so the live release stays. */
  async disarm(): Promise<void> {
    if (!this.armed) return;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.putAlarm("notBreaching");
        this.armed = false;
        this.settings.logger.info("release guard: disarmed at the commit point");
        return;
      } catch (error) {
        if (attempt >= 5) {
          this.settings.logger.warning(
            `release guard: could not disarm ${this.alarmName} (${(error as Error).message}); if ECS still bakes this deployment when the heartbeat stops, it rolls the live release back`,
          );
          return;
        }
        await this.settings.clock.sleep(500 * attempt);
      }
    }
  }

  /**
   * The run ends: heartbeats stop. An alarm still armed (a failed run that put the service back)
   * is disarmed first, unless the run could not put the service back (`leaveArmed`: its
   * rollback failed, e.g. StopServiceDeployment or UpdateService refused): the alarm then goes
   * off as for a dead run, and ECS rolls the deployment back to the live release, which the site
   * still serves. (ECS watches the alarm only while a deployment is under way or baking; a
   * service already back leaves it unheeded.)
   */
  async stop(options: { leaveArmed?: boolean } = {}): Promise<void> {
    if (this.armed && options.leaveArmed) {
      this.settings.logger.warning(
        `release guard: left armed (alarm ${this.alarmName}): this run could not put the service back; ECS rolls its deployment back to the live release once the heartbeat stops`,
      );
    } else if (this.armed) {
      await this.disarm();
    }
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all(this.inFlight);
  }

  private beat(): void {
    if (this.inFlight.size >= 3) return;
    const beat = this.put([this.settings.clock.now()])
      .then(() => {
        this.failedPuts = 0;
      })
      .catch((error: Error) => {
        // Weather: the next beat tries again; two silent periods are needed for an ALARM.
        this.failedPuts += 1;
        if (this.failedPuts === 3) {
          this.settings.logger.warning(`release guard: heartbeats failing (${error.message})`);
        }
      })
      .finally(() => {
        this.inFlight.delete(beat);
      });
    this.inFlight.add(beat);
  }

  private put(times: number[]): Promise<unknown> {
    return this.clients.cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: HEARTBEAT_NAMESPACE,
        MetricData: times.map((at) => ({
          MetricName: HEARTBEAT_METRIC,
          Dimensions: this.dimensions,
          Timestamp: new Date(at),
          Value: 1,
          Unit: "Count",
          StorageResolution: 1,
        })),
      }),
    );
  }

  private putAlarm(missing: "breaching" | "notBreaching"): Promise<unknown> {
    return this.clients.cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: this.alarmName,
        AlarmDescription: `shipline: the release run of ${this.settings.environment} is alive (heartbeat); ECS rolls the service back when it stops before the release commits`,
        Namespace: HEARTBEAT_NAMESPACE,
        MetricName: HEARTBEAT_METRIC,
        Dimensions: this.dimensions,
        Statistic: "Sum",
        Period: PERIOD_SECONDS,
        EvaluationPeriods: EVALUATION_PERIODS,
        DatapointsToAlarm: EVALUATION_PERIODS,
        Threshold: 1,
        ComparisonOperator: "LessThanThreshold",
        TreatMissingData: missing,
      }),
    );
  }

  private async state(): Promise<string | undefined> {
    const found = await this.clients.cloudwatch.send(
      new DescribeAlarmsCommand({ AlarmNames: [this.alarmName] }),
    );
    return found.MetricAlarms?.[0]?.StateValue;
  }

  /** The PRIMARY deployment is COMPLETED (or FAILED): what ECS would roll back to is settled. */
  private async liveDeploymentDone(): Promise<boolean> {
    const described = await this.clients.ecs.send(
      new DescribeServicesCommand({
        cluster: this.settings.cluster,
        services: [this.settings.service],
      }),
    );
    const primary = described.services?.[0]?.deployments?.find((d) => d.status === "PRIMARY");
    return primary?.rolloutState !== "IN_PROGRESS";
  }

  private async until(
    what: string,
    check: () => Promise<boolean>,
    timeoutMs: number,
  ): Promise<void> {
    const { clock, signal } = this.settings;
    const deadline = clock.now() + timeoutMs;
    const pollMs = Math.min(1000, this.heartbeatMs);
    for (;;) {
      if (await check().catch(() => false)) return;
      if (clock.now() >= deadline) throw new Error(`gave up waiting for ${what}`);
      await clock.sleep(pollMs, signal);
    }
  }
}

/**
 * The guard of a release run, when its deps reach CloudWatch (the CLI's and the actions' do).
 * SHIPLINE_RELEASE_HEARTBEAT_MS sets the heartbeat's interval for a cloud that runs faster than
 * AWS's pace (localcloud with a time scale); AWS's is a fifth of the 10 s alarm period.
 */
export function releaseGuardOf(
  deps: {
    cloudwatch?: () => CloudWatchClient;
    service: { ecs: ECSClient };
    clock: Clock;
    logger: Logger;
    env: NodeJS.ProcessEnv;
    signal?: AbortSignal;
  },
  target: { environment: string; cluster: string; service: string },
): ReleaseGuard | undefined {
  if (!deps.cloudwatch) return undefined;
  const heartbeatMs = Number(deps.env.SHIPLINE_RELEASE_HEARTBEAT_MS);
  return new ReleaseGuard(
    { cloudwatch: deps.cloudwatch(), ecs: deps.service.ecs },
    {
      ...target,
      clock: deps.clock,
      logger: deps.logger,
      ...(heartbeatMs > 0 ? { heartbeatMs } : {}),
      ...(deps.signal ? { signal: deps.signal } : {}),
    },
  );
}
