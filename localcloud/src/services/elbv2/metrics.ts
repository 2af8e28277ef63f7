import type { Dimension, MetricId } from "../monitoring/metrics";

/**
 * The CloudWatch metrics an Application Load Balancer publishes for the requests it handles, in
 * namespace `AWS/ApplicationELB` with AWS's names, units and dimension sets: the target-group
 * metrics both per load balancer + target group and per load balancer, the load balancer's own
 * error codes per load balancer only. Availability Zone dimensions are left out (localcloud's
 * load balancers have no zones).
 */
export const ALB_NAMESPACE = "AWS/ApplicationELB";

/** What happened to one request the listener handled. */
export type RequestOutcome =
  /** A target answered (any status): the request counts for its target group. */
  | { kind: "target"; targetGroupArn: string; status: number; targetSeconds: number }
  /** A target was chosen but failed (connection error → 502, timeout → 504). */
  | { kind: "target-failed"; targetGroupArn: string; status: number }
  /** No target could be chosen (503): AWS does not count it in RequestCount. */
  | { kind: "no-target"; status: number };

export interface MetricValue {
  metric: MetricId;
  value: number;
  unit: "Count" | "Seconds";
}

/** `app/<name>/<id>`: the load balancer's ARN after `loadbalancer/`, as CloudWatch names it. */
export const loadBalancerDimension = (arn: string): string =>
  arn.slice(arn.indexOf(":loadbalancer/") + ":loadbalancer/".length);

/** `targetgroup/<name>/<id>`: the target group's ARN resource part. */
export const targetGroupDimension = (arn: string): string =>
  arn.slice(arn.indexOf(":targetgroup/") + 1);

const statusClass = (status: number) => `${Math.floor(status / 100)}XX`;

export const metricsOf = (loadBalancerArn: string, outcome: RequestOutcome): MetricValue[] => {
  const lb: Dimension = { Name: "LoadBalancer", Value: loadBalancerDimension(loadBalancerArn) };
  const perLb = (name: string, value: number, unit: MetricValue["unit"]): MetricValue => ({
    metric: { Namespace: ALB_NAMESPACE, MetricName: name, Dimensions: [lb] },
    value,
    unit,
  });
  // Target-group metrics come in both dimension sets: {LoadBalancer, TargetGroup} and {LoadBalancer}.
  const both = (
    targetGroupArn: string,
    name: string,
    value: number,
    unit: MetricValue["unit"],
  ): MetricValue[] => [
    {
      metric: {
        Namespace: ALB_NAMESPACE,
        MetricName: name,
        Dimensions: [lb, { Name: "TargetGroup", Value: targetGroupDimension(targetGroupArn) }],
      },
      value,
      unit,
    },
    perLb(name, value, unit),
  ];
  const elbError = (status: number) => [
    perLb(`HTTPCode_ELB_${statusClass(status)}_Count`, 1, "Count"),
    ...([500, 502, 503, 504].includes(status)
      ? [perLb(`HTTPCode_ELB_${status}_Count`, 1, "Count")]
      : []),
  ];
  switch (outcome.kind) {
    case "target": {
      const { targetGroupArn, status, targetSeconds } = outcome;
      return [
        ...both(targetGroupArn, "RequestCount", 1, "Count"),
        ...(status >= 200 && status < 600
          ? both(targetGroupArn, `HTTPCode_Target_${statusClass(status)}_Count`, 1, "Count")
          : []),
        ...both(targetGroupArn, "TargetResponseTime", targetSeconds, "Seconds"),
      ];
    }
    case "target-failed":
      // A target that refused or dropped the connection (502) is a TargetConnectionErrorCount of
      // its group: the one failure of a target the load balancer attributes to a target group.
      return [
        ...both(outcome.targetGroupArn, "RequestCount", 1, "Count"),
        ...(outcome.status === 502
          ? both(outcome.targetGroupArn, "TargetConnectionErrorCount", 1, "Count")
          : []),
        ...elbError(outcome.status),
      ];
    case "no-target":
      return elbError(outcome.status);
  }
};
