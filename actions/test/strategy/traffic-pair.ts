import {
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DescribeListenersCommand,
  ModifyTargetGroupAttributesCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { ServiceStack } from "../service/cloud";

/**
 * What ECS's traffic-shifting strategies need beside the service's target group, as a user's
 * infrastructure creates it: an alternate group (same port and health check) and a production
 * listener rule forwarding to both, all traffic on the service's group.
 */
export async function createTrafficPair(
  stack: ServiceStack,
): Promise<{ alternate: string; rule: string }> {
  const { elb } = stack.clients;
  const alternate = (
    await elb.send(
      new CreateTargetGroupCommand({
        Name: "api-alt",
        Protocol: "HTTP",
        Port: 3000,
        VpcId: "vpc-1",
        TargetType: "ip",
        HealthCheckPath: "/healthz",
        HealthCheckIntervalSeconds: 20,
        HealthCheckTimeoutSeconds: 10,
        HealthyThresholdCount: 2,
        UnhealthyThresholdCount: 2,
      }),
    )
  ).TargetGroups?.[0]?.TargetGroupArn as string;
  await elb.send(
    new ModifyTargetGroupAttributesCommand({
      TargetGroupArn: alternate,
      Attributes: [{ Key: "deregistration_delay.timeout_seconds", Value: "10" }],
    }),
  );
  const listener = (await elb.send(new DescribeListenersCommand({}))).Listeners?.[0];
  const rule = (
    await elb.send(
      new CreateRuleCommand({
        ListenerArn: listener?.ListenerArn,
        Priority: 10,
        Conditions: [{ Field: "path-pattern", Values: ["/*"] }],
        Actions: [
          {
            Type: "forward",
            ForwardConfig: {
              TargetGroups: [
                { TargetGroupArn: stack.targetGroupArn, Weight: 100 },
                { TargetGroupArn: alternate, Weight: 0 },
              ],
            },
          },
        ],
      }),
    )
  ).Rules?.[0]?.RuleArn as string;
  return { alternate, rule };
}

/** Steady traffic to the API through the load balancer, `workers` requests at a time. */
export function apiProbe(lbUrl: string, workers = 4) {
  let running = true;
  const results = { ok: 0, failed: 0, errors: [] as string[] };
  const worker = async () => {
    while (running) {
      try {
        const response = await fetch(`${lbUrl}/api/version`);
        await response.text();
        if (response.status === 200) results.ok += 1;
        else {
          results.failed += 1;
          if (results.errors.length < 5) results.errors.push(String(response.status));
        }
      } catch (error) {
        results.failed += 1;
        if (results.errors.length < 5) results.errors.push(String(error));
      }
    }
  };
  const all = Array.from({ length: workers }, worker);
  return {
    async stop() {
      running = false;
      await Promise.all(all);
      return { ...results, total: results.ok + results.failed };
    },
  };
}
