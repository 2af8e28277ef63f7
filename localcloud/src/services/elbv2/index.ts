import { randomInt } from "node:crypto";
import type { AwsRequest } from "../../server/aws-request";
import { formParams } from "../../server/protocols";
import type { MonitoringService } from "../monitoring";
import type { LocalcloudService, ServiceContext, ServiceFactory } from "../service";
import { ELBV2_XMLNS, Elbv2Api } from "./api";
import type { TargetHealth } from "./health";
import { metricsOf, type RequestOutcome } from "./metrics";
import type { Action, Listener, Target, TargetGroup, TargetGroupTuple } from "./model";
import { HealthMonitor } from "./monitor";
import { ListenerProxy } from "./proxy";
import { forwardTargets, matchRule, pickWeighted, routableTargets } from "./routing";
import { openElbv2State } from "./store";

export type { TargetHealth } from "./health";
export type { Target, TargetGroup, TargetGroupTuple } from "./model";

/** The load balancer service, with what ECS needs in-process. */
export interface Elbv2Service extends LocalcloudService {
  targetGroup(arn: string): TargetGroup | undefined;
  /** The load balancers that send traffic to a target group. */
  loadBalancersOf(targetGroupArn: string): string[];
  registerTargets(targetGroupArn: string, targets: Target[]): void;
  /** Starts draining; the target disappears after the group's deregistration delay. */
  deregisterTargets(targetGroupArn: string, targets: Target[]): void;
  targetHealth(targetGroupArn: string): Array<{ target: Target; health: TargetHealth }>;
  /** `http://<address>:<port>` of a load balancer's listener. */
  listenerUrl(loadBalancerArn: string, port?: number): string;
  /** The target groups a listener rule's forward action sends to; undefined: no such rule. */
  ruleTargets(ruleArn: string): string[] | undefined;
  /**
   * Sets the weighted target groups of a rule's forward action, as ModifyRule would (and
   * ModifyListener for a listener's default rule).
   */
  setForwardWeights(ruleArn: string, groups: TargetGroupTuple[]): void;
}

export const elbv2Service: ServiceFactory = {
  name: "elbv2",
  create: (context) => createElbv2Service(context),
};

const createElbv2Service = (context: ServiceContext): Elbv2Service => {
  const state = openElbv2State(context.stateDir);
  const proxies = new Map<string, ListenerProxy>();
  const roundRobin = new Map<string, number>();
  let api: Elbv2Api;

  const monitor = new HealthMonitor(
    (arn) => state.data.targetGroups.find((g) => g.TargetGroupArn === arn),
    (arn) => api.loadBalancersOf(arn).length > 0,
    context.timeScale,
    (arn, target) =>
      state.update((s) => {
        s.targets[arn] = (s.targets[arn] ?? []).filter(
          (t) => t.Id !== target.Id || t.Port !== target.Port,
        );
      }),
  );

  const actionFor = (listener: Listener, path: string, host: string): Action | undefined => {
    const rules = state.data.rules.filter((r) => r.ListenerArn === listener.ListenerArn);
    return matchRule(rules, path, host)?.Actions[0];
  };

  const pickTarget = (action: Action) => {
    const group = pickWeighted(forwardTargets(action), Math.random());
    if (!group) return undefined;
    const candidates = routableTargets(monitor.records(group.TargetGroupArn));
    if (candidates.length === 0) return undefined;
    const turn = roundRobin.get(group.TargetGroupArn) ?? 0;
    roundRobin.set(group.TargetGroupArn, turn + 1);
    const chosen = candidates[turn % candidates.length];
    if (!chosen) return undefined;
    chosen.inFlight += 1;
    return {
      targetGroupArn: group.TargetGroupArn,
      ip: chosen.target.Id,
      port: chosen.target.Port,
      release: () => {
        chosen.inFlight -= 1;
      },
    };
  };

  // The load balancer publishes into the cloud's CloudWatch, when the cloud has one.
  const monitoring = (() => {
    let found: MonitoringService | null | undefined;
    return () => {
      if (found === undefined) {
        try {
          found = context.service<MonitoringService>("monitoring");
        } catch {
          found = null;
        }
      }
      return found ?? undefined;
    };
  })();
  const observe = (listener: Listener, outcome: RequestOutcome) => {
    const cloudWatch = monitoring();
    if (!cloudWatch) return;
    for (const { metric, value, unit } of metricsOf(listener.LoadBalancerArn, outcome)) {
      cloudWatch.record(metric, value, unit);
    }
  };

  const listenersChanged = async () => {
    const wanted = new Map(state.data.listeners.map((l) => [l.ListenerArn, l]));
    for (const [arn, proxy] of proxies) {
      if (!wanted.has(arn)) {
        proxies.delete(arn);
        await proxy.close();
      }
    }
    for (const [arn, listener] of wanted) {
      if (proxies.has(arn)) continue;
      const lb = state.data.loadBalancers.find(
        (l) => l.LoadBalancerArn === listener.LoadBalancerArn,
      );
      if (!lb) continue;
      const proxy = new ListenerProxy(listener, {
        actionFor,
        pickTarget,
        observe,
        log: (entry) =>
          context.requestLog.record({
            service: "alb",
            method: "GET",
            bytesIn: 0,
            bytesOut: 0,
            ...entry,
          }),
      });
      await proxy.listen(lb.DNSName);
      proxies.set(arn, proxy);
    }
  };

  const allocateAddress = () => {
    const used = new Set(state.data.loadBalancers.map((lb) => lb.DNSName));
    for (;;) {
      // Each load balancer gets its own loopback address, so its listeners bind their real ports.
      const address = `127.77.${randomInt(0, 256)}.${randomInt(1, 255)}`;
      if (!used.has(address)) return address;
    }
  };

  api = new Elbv2Api(context, state, { monitor, listenersChanged, allocateAddress });

  return {
    name: "elbv2",
    signingName: "elasticloadbalancing",
    protocol: "query",
    xmlns: ELBV2_XMLNS,
    throttlingError: { code: "Throttling", status: 400, message: "Rate exceeded" },
    operationOf: (request: AwsRequest) => formParams(request).Action ?? "Unknown",
    handle: (request, operation) => api.handle(request, operation),
    async start() {
      for (const [arn, targets] of Object.entries(state.data.targets)) {
        for (const target of targets) monitor.register(arn, target);
      }
      await listenersChanged();
      monitor.start();
    },
    async stop() {
      monitor.stop();
      for (const proxy of proxies.values()) await proxy.close();
      proxies.clear();
    },
    targetGroup: (arn) => state.data.targetGroups.find((g) => g.TargetGroupArn === arn),
    loadBalancersOf: (arn) => api.loadBalancersOf(arn),
    registerTargets(arn, targets) {
      state.update((s) => {
        const list = s.targets[arn] ?? [];
        for (const t of targets)
          if (!list.some((x) => x.Id === t.Id && x.Port === t.Port)) list.push(t);
        s.targets[arn] = list;
      });
      for (const target of targets) monitor.register(arn, target);
    },
    deregisterTargets(arn, targets) {
      const group = state.data.targetGroups.find((g) => g.TargetGroupArn === arn);
      const delay = Number(group?.Attributes["deregistration_delay.timeout_seconds"] ?? 300);
      for (const target of targets) monitor.deregister(arn, target, delay);
    },
    targetHealth: (arn) => monitor.describe(arn),
    listenerUrl(lbArn, port) {
      const lb = state.data.loadBalancers.find((l) => l.LoadBalancerArn === lbArn);
      const listener = state.data.listeners.find(
        (l) => l.LoadBalancerArn === lbArn && (port === undefined || l.Port === port),
      );
      if (!lb || !listener) throw new Error(`no listener for ${lbArn}`);
      return `http://${lb.DNSName}:${listener.Port}`;
    },
    ruleTargets(ruleArn) {
      const rule = state.data.rules.find((r) => r.RuleArn === ruleArn);
      if (!rule) return undefined;
      return rule.Actions.filter((a) => a.Type === "forward").flatMap((a) =>
        forwardTargets(a).map((g) => g.TargetGroupArn),
      );
    },
    setForwardWeights(ruleArn, groups) {
      state.update((s) => {
        const rule = s.rules.find((r) => r.RuleArn === ruleArn);
        if (!rule) return;
        const forward: Action = {
          Type: "forward",
          ForwardConfig: { TargetGroups: groups.map((g) => ({ ...g })) },
        };
        const others = rule.Actions.filter((a) => a.Type !== "forward");
        rule.Actions = [forward, ...others];
        if (rule.IsDefault) {
          const listener = s.listeners.find((l) => l.ListenerArn === rule.ListenerArn);
          if (listener) listener.DefaultActions = rule.Actions;
        }
      });
    },
  };
};
