import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import {
  DescribeServiceDeploymentsCommand,
  ListServiceDeploymentsCommand,
  type ServiceDeployment,
  StopServiceDeploymentCommand,
} from "@aws-sdk/client-ecs";
import {
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { readIntervalSamples } from "../analysis/metrics";
import { type Patience, retryTransient } from "../lib/retry";
import type { ServiceClients } from "../service/clients";
import type { FollowEffects } from "./follow";

/** Which target group takes the new revision, which serves the old one, and their load balancer. */
export interface TrafficGroups {
  loadBalancer: string;
  newTargetGroup: string;
  oldTargetGroup: string;
}

/**
 * Reads the production listener rule before the deployment: the group it forwards (most of) the
 * traffic to serves the old revision; the other of the pair receives the new one.
 */
export async function trafficGroups(
  clients: Pick<ServiceClients, "elb">,
  rule: string,
  pair: [string, string],
): Promise<TrafficGroups> {
  const rules = await clients.elb.send(new DescribeRulesCommand({ RuleArns: [rule] }));
  const forward = rules.Rules?.[0]?.Actions?.find((action) => action.Type === "forward");
  const weighted = forward?.ForwardConfig?.TargetGroups ?? [];
  const heaviest = [...weighted]
    .filter((group) => group.TargetGroupArn && pair.includes(group.TargetGroupArn))
    .sort((a, b) => (b.Weight ?? 1) - (a.Weight ?? 1))[0]?.TargetGroupArn;
  const old = heaviest ?? forward?.TargetGroupArn ?? pair[0];
  const other = pair.find((arn) => arn !== old) ?? pair[1];
  const described = await clients.elb.send(
    new DescribeTargetGroupsCommand({ TargetGroupArns: [old] }),
  );
  const loadBalancer = described.TargetGroups?.[0]?.LoadBalancerArns?.[0];
  if (!loadBalancer) throw new Error(`target group ${old} is not attached to a load balancer`);
  return { loadBalancer, oldTargetGroup: old, newTargetGroup: other };
}

/**
 * The service deployment UpdateService started: the newest one created since `since` (ECS
 * lists service deployments newest first, with their creation time).
 */
export async function findServiceDeployment(
  clients: Pick<ServiceClients, "ecs">,
  cluster: string,
  service: string,
  since: Date,
  patience: Patience,
): Promise<string> {
  for (;;) {
    const listed = await retryTransient(
      "ListServiceDeployments",
      () =>
        clients.ecs.send(
          new ListServiceDeploymentsCommand({ cluster, service, createdAt: { after: since } }),
        ),
      patience,
    );
    const newest = [...(listed.serviceDeployments ?? [])].sort(
      (a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0),
    )[0]?.serviceDeploymentArn;
    if (newest) return newest;
    if (patience.clock.now() >= patience.deadline) {
      throw new Error(`ECS lists no service deployment of ${service} since ${since.toISOString()}`);
    }
    await patience.clock.sleep(1000, patience.signal);
  }
}

export function followEffects(
  clients: Pick<ServiceClients, "ecs" | "elb"> & { cloudwatch?: CloudWatchClient },
  arn: string,
  groups: TrafficGroups | undefined,
  periodSeconds: number,
  patience: () => Patience,
): FollowEffects {
  return {
    async describe(): Promise<ServiceDeployment> {
      const described = await retryTransient(
        "DescribeServiceDeployments",
        () =>
          clients.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] })),
        patience(),
      );
      const found = described.serviceDeployments?.[0];
      if (!found) throw new Error(`service deployment ${arn} is gone`);
      return found;
    },
    async samples(window) {
      const { cloudwatch } = clients;
      if (!cloudwatch || !groups) return [];
      return retryTransient(
        "GetMetricData",
        () => readIntervalSamples(cloudwatch, { ...groups, ...window, periodSeconds }),
        patience(),
      );
    },
    async rollBack() {
      await clients.ecs.send(
        new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: "ROLLBACK" }),
      );
    },
  };
}

/**
 * The CloudWatch alarms ECS names as triggered in the service deployments created since `since`
 * (a rolling deployment that ECS rolled back: was it an alarm?). Empty when none, or unreadable:
 * the name only sharpens a failure already known.
 */
export async function triggeredAlarms(
  clients: Pick<ServiceClients, "ecs">,
  cluster: string,
  service: string,
  since: Date,
): Promise<string[]> {
  try {
    const listed = await clients.ecs.send(
      new ListServiceDeploymentsCommand({ cluster, service, createdAt: { after: since } }),
    );
    const arns = (listed.serviceDeployments ?? []).flatMap((d) => d.serviceDeploymentArn ?? []);
    if (arns.length === 0) return [];
    const described = await clients.ecs.send(
      new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: arns.slice(0, 20) }),
    );
    return [
      ...new Set(
        (described.serviceDeployments ?? []).flatMap((d) => d.alarms?.triggeredAlarmNames ?? []),
      ),
    ];
  } catch {
    return [];
  }
}
