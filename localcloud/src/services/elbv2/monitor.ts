import {
  applyProbe,
  initialRecord,
  type ProbeResult,
  probe,
  type TargetHealth,
  type TargetRecord,
} from "./health";
import { type Target, type TargetGroup, targetKey } from "./model";

/** A target's live view: its health record and how many requests it is serving. */
interface LiveTarget extends TargetRecord {
  inFlight: number;
  nextCheckAt: number;
  checking: boolean;
}

/**
 * Runs the real HTTP health checks of every target group that a listener uses, and keeps each
 * target's state as the ALB reports it (initial → healthy/unhealthy; draining for the
 * deregistration delay, then gone).
 */
export class HealthMonitor {
  private readonly groups = new Map<string, Map<string, LiveTarget>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly groupOf: (arn: string) => TargetGroup | undefined,
    private readonly inUse: (arn: string) => boolean,
    private readonly timeScale: number,
    private readonly onRemoved: (arn: string, target: Target) => void,
    private readonly check: (target: Target, group: TargetGroup) => Promise<ProbeResult> = probe,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), Math.max(20, Math.min(250, 1000 * this.timeScale)));
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  register(arn: string, target: Target): void {
    const group = this.groupMap(arn);
    const existing = group.get(targetKey(target));
    if (existing && existing.health.State !== "draining") return;
    group.set(targetKey(target), {
      ...initialRecord(target),
      inFlight: existing?.inFlight ?? 0,
      nextCheckAt: Date.now(),
      checking: false,
    });
  }

  deregister(arn: string, target: Target, delaySeconds: number): void {
    const live = this.groups.get(arn)?.get(targetKey(target));
    if (!live || live.health.State === "draining") return;
    live.health = {
      State: "draining",
      Reason: "Target.DeregistrationInProgress",
      Description: "Target deregistration is in progress",
    };
    live.drainUntil = Date.now() + delaySeconds * 1000 * this.timeScale;
  }

  forget(arn: string): void {
    this.groups.delete(arn);
  }

  /** Every registered (incl. draining) target of a group with its health. */
  describe(arn: string): Array<{ target: Target; health: TargetHealth }> {
    const group = this.groupOf(arn);
    return [...(this.groups.get(arn)?.values() ?? [])].map((live) => ({
      target: live.target,
      health:
        group && !this.inUse(arn) && live.health.State !== "draining"
          ? {
              State: "unused",
              Reason: "Target.NotInUse",
              Description:
                "Target group is not configured to receive traffic from the load balancer",
            }
          : live.health,
    }));
  }

  records(arn: string): LiveTarget[] {
    return [...(this.groups.get(arn)?.values() ?? [])];
  }

  private groupMap(arn: string): Map<string, LiveTarget> {
    let group = this.groups.get(arn);
    if (!group) {
      group = new Map();
      this.groups.set(arn, group);
    }
    return group;
  }

  private tick(): void {
    const now = Date.now();
    for (const [arn, targets] of this.groups) {
      const group = this.groupOf(arn);
      if (!group) continue;
      for (const [key, live] of targets) {
        if (live.health.State === "draining") {
          if (live.drainUntil !== undefined && now >= live.drainUntil) {
            targets.delete(key);
            this.onRemoved(arn, live.target);
          }
          continue;
        }
        if (!this.inUse(arn) || !group.HealthCheckEnabled) continue;
        if (live.checking || now < live.nextCheckAt) continue;
        live.checking = true;
        live.nextCheckAt = now + group.HealthCheckIntervalSeconds * 1000 * this.timeScale;
        // A scaled-down timeout keeps a floor of 1 s (within the interval) so a loaded machine
        // does not turn slow answers into timeouts.
        const interval = group.HealthCheckIntervalSeconds * this.timeScale;
        const scaled = {
          ...group,
          HealthCheckTimeoutSeconds: Math.min(
            interval,
            Math.max(group.HealthCheckTimeoutSeconds * this.timeScale, 1),
          ),
        };
        this.check(live.target, scaled)
          .then((result) => {
            const current = targets.get(key);
            if (current !== live || live.health.State === "draining") return;
            const next = applyProbe(live, result, group);
            live.health = next.health;
            live.consecutiveOk = next.consecutiveOk;
            live.consecutiveFail = next.consecutiveFail;
          })
          .finally(() => {
            live.checking = false;
          });
      }
    }
  }
}
