import type { ServiceDeployment } from "@aws-sdk/client-ecs";
import type { AnalysisSettings } from "../analysis/settings";
import { analyse, type IntervalSamples, type OverallVerdict } from "../analysis/verdict";
import { throwIfCancelled } from "../lib/cancel";
import type { Clock } from "../lib/clock";
import type { Logger } from "../lib/logger";
import {
  FINAL_STATUSES,
  ROLLING_BACK,
  type StageView,
  stageLine,
  stageView,
  takesProductionTraffic,
} from "./stages";

/** The effects the follower needs: each a thin AWS call (see follow-effects.ts). */
export interface FollowEffects {
  /** DescribeServiceDeployments of the deployment followed. */
  describe(): Promise<ServiceDeployment>;
  /** The analysis samples (new vs old target group) of the complete periods in the window. */
  samples(window: { start: Date; end: Date }): Promise<IntervalSamples[]>;
  /** StopServiceDeployment with stopType ROLLBACK. */
  rollBack(): Promise<void>;
}

export interface FollowSettings {
  pollIntervalMs: number;
  /** The whole deployment (bake times included) must end within this; then it is rolled back. */
  timeoutMs: number;
  analysis: AnalysisSettings;
  /** The analysis interval: one CloudWatch period. */
  periodSeconds: number;
  /** Off: only ECS's own signals (alarms, circuit breaker) stop the deployment. */
  analyse: boolean;
}

export type FollowOutcome =
  | { result: "succeeded"; last: StageView; analysis?: OverallVerdict }
  | {
      /** shipline stopped it: its analysis failed, or the deployment outlasted the timeout. */
      result: "analysis-failed" | "timed-out";
      last: StageView;
      analysis?: OverallVerdict;
      /** ROLLBACK_SUCCESSFUL, ROLLBACK_FAILED, or undefined when the rollback did not end in time. */
      rollback?: string;
    }
  | {
      /** ECS stopped it by itself: an alarm in ALARM, the circuit breaker, someone's stop. */
      result: "rolled-back-by-ecs";
      last: StageView;
      analysis?: OverallVerdict;
      rollback?: string;
      alarms: string[];
      reason: string;
    };

/** After a period ends, the wait for its last requests to be counted before it is read. */
const PERIOD_SETTLE_MS = 50;

const timeOf = (date: Date) => date.toISOString().slice(11, 19);

/**
 * Follows a deployment of a non-rolling strategy to its end, logging each new lifecycle stage or
 * traffic split on one line. While the new revision takes production traffic, each analysis
 * interval is judged (new target group against old) as soon as its period is complete; a failing
 * verdict stops the deployment with ECS's rollback, which is then followed to its end too.
 */
export async function followDeployment(
  effects: FollowEffects,
  settings: FollowSettings,
  deps: { clock: Clock; logger: Logger; signal?: AbortSignal },
): Promise<FollowOutcome> {
  const { clock, logger } = deps;
  const startedAt = clock.now();
  const periodMs = settings.periodSeconds * 1000;
  let lastLine = "";
  let trafficSince: number | undefined;
  let analysis: OverallVerdict | undefined;
  let judged = 0;
  let stopped: "analysis-failed" | "timed-out" | undefined;
  let stopDeadline = 0;
  let alarms: string[] = [];
  for (;;) {
    throwIfCancelled(deps.signal);
    const pollStartedAt = clock.now();
    const view = stageView(await effects.describe());
    const line = stageLine(view);
    if (line !== lastLine) logger.info(line);
    lastLine = line;
    if (view.triggeredAlarms.length > 0)
      alarms = [...new Set([...alarms, ...view.triggeredAlarms])];
    const withAnalysis = analysis ? { analysis } : {};

    if (stopped) {
      if (FINAL_STATUSES.has(view.status)) {
        return { result: stopped, last: view, ...withAnalysis, rollback: view.status };
      }
      if (clock.now() >= stopDeadline) return { result: stopped, last: view, ...withAnalysis };
    } else if (view.status === "SUCCESSFUL") {
      return { result: "succeeded", last: view, ...withAnalysis };
    } else if (ROLLING_BACK.has(view.status)) {
      if (FINAL_STATUSES.has(view.status) || clock.now() - startedAt >= settings.timeoutMs * 2) {
        return {
          result: "rolled-back-by-ecs",
          last: view,
          ...withAnalysis,
          ...(FINAL_STATUSES.has(view.status) ? { rollback: view.status } : {}),
          alarms,
          reason:
            alarms.length > 0
              ? `CloudWatch alarm${alarms.length > 1 ? "s" : ""} ${alarms.join(", ")} in ALARM`
              : (view.rollbackReason ?? view.statusReason ?? `deployment ${view.status}`),
        };
      }
    } else {
      if (trafficSince === undefined && takesProductionTraffic(view)) {
        trafficSince = pollStartedAt;
        logger.info(
          settings.analyse
            ? `analysis: the new revision takes production traffic; judging it every ${settings.periodSeconds} s against the old one`
            : "analysis: off",
        );
      }
      const now = clock.now();
      // From the start of the period the shift happened in: before it the new group had no
      // production request, so that period's numbers are the new revision's alone.
      const firstPeriod =
        trafficSince === undefined ? undefined : Math.floor(trafficSince / periodMs) * periodMs;
      if (settings.analyse && firstPeriod !== undefined && now >= firstPeriod + periodMs) {
        const samples = await effects.samples({
          start: new Date(firstPeriod),
          end: new Date(now),
        });
        analysis = analyse(samples, settings.analysis);
        for (const interval of analysis.intervals.slice(judged)) {
          logger.info(
            `analysis ${timeOf(interval.start)}: ${interval.verdict}, ${interval.message}`,
          );
        }
        judged = analysis.intervals.length;
        if (analysis.verdict === "failing") {
          logger.error(
            `analysis: failing, ${analysis.message}; stopping the deployment with rollback`,
          );
          stopped = "analysis-failed";
        }
      }
      if (!stopped && now - startedAt >= settings.timeoutMs) {
        logger.error(
          `deployment not finished after ${Math.round(settings.timeoutMs / 1000)} s (${view.stage}); stopping it with rollback`,
        );
        stopped = "timed-out";
      }
      if (stopped) {
        await effects.rollBack();
        stopDeadline = clock.now() + settings.timeoutMs;
      }
    }
    if (!stopped || !FINAL_STATUSES.has(view.status)) {
      const now = clock.now();
      let untilNext = pollStartedAt + settings.pollIntervalMs - now;
      // While judging, also wake right after a period completes: the verdict on it comes then,
      // not up to a poll interval later, so a failing revision takes traffic no longer than it must.
      if (settings.analyse && trafficSince !== undefined && !stopped) {
        const periodEnd = (Math.floor(now / periodMs) + 1) * periodMs + PERIOD_SETTLE_MS;
        untilNext = Math.min(untilNext, periodEnd - now);
      }
      await clock.sleep(Math.max(0, untilNext), deps.signal);
    }
  }
}
