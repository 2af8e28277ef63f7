/** ELBv2 resources as localcloud stores them (field names follow the API). */

export interface LoadBalancer {
  LoadBalancerArn: string;
  LoadBalancerName: string;
  /** A loopback address of its own, so listeners bind their real ports (80, 443…). */
  DNSName: string;
  Scheme: "internet-facing" | "internal";
  Type: "application";
  IpAddressType: string;
  VpcId: string;
  SecurityGroups: string[];
  Subnets: string[];
  CreatedTime: string;
}

export interface TargetGroupTuple {
  TargetGroupArn: string;
  Weight?: number;
}

export interface Action {
  Type: "forward" | "fixed-response" | "redirect";
  Order?: number;
  TargetGroupArn?: string;
  ForwardConfig?: { TargetGroups: TargetGroupTuple[] };
  FixedResponseConfig?: { StatusCode: string; ContentType?: string; MessageBody?: string };
}

export interface Listener {
  ListenerArn: string;
  LoadBalancerArn: string;
  Port: number;
  Protocol: "HTTP";
  DefaultActions: Action[];
}

export interface RuleCondition {
  Field: "path-pattern" | "host-header";
  Values: string[];
}

export interface Rule {
  RuleArn: string;
  ListenerArn: string;
  /** "default" for the listener's default rule, else a number as a string. */
  Priority: string;
  Conditions: RuleCondition[];
  Actions: Action[];
  IsDefault: boolean;
}

export interface HealthCheck {
  HealthCheckPath: string;
  /** "traffic-port" or a port number as a string. */
  HealthCheckPort: string;
  HealthCheckProtocol: "HTTP";
  HealthCheckIntervalSeconds: number;
  HealthCheckTimeoutSeconds: number;
  HealthyThresholdCount: number;
  UnhealthyThresholdCount: number;
  HealthCheckEnabled: boolean;
  Matcher: { HttpCode: string };
}

export interface TargetGroup extends HealthCheck {
  TargetGroupArn: string;
  TargetGroupName: string;
  Protocol: "HTTP";
  Port: number;
  VpcId: string;
  TargetType: "ip" | "instance";
  Attributes: Record<string, string>;
}

export interface Target {
  Id: string;
  Port: number;
}

/** Defaults of an ALB HTTP target group, as AWS documents them. */
export const TARGET_GROUP_DEFAULTS: HealthCheck & { Attributes: Record<string, string> } = {
  HealthCheckPath: "/",
  HealthCheckPort: "traffic-port",
  HealthCheckProtocol: "HTTP",
  HealthCheckIntervalSeconds: 30,
  HealthCheckTimeoutSeconds: 5,
  HealthyThresholdCount: 5,
  UnhealthyThresholdCount: 2,
  HealthCheckEnabled: true,
  Matcher: { HttpCode: "200" },
  Attributes: {
    "deregistration_delay.timeout_seconds": "300",
    "stickiness.enabled": "false",
    "load_balancing.algorithm.type": "round_robin",
    "slow_start.duration_seconds": "0",
  },
};

export const targetKey = (target: Target): string => `${target.Id}:${target.Port}`;
