import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { ECRClient } from "@aws-sdk/client-ecr";
import { ECSClient } from "@aws-sdk/client-ecs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { type AwsSettings, createClient } from "../lib/aws";

/** The AWS clients a service rollout talks to. Tests pass mocked or localcloud clients. */
export interface ServiceClients {
  ecs: ECSClient;
  elb: ElasticLoadBalancingV2Client;
  ecr: ECRClient;
  logs: CloudWatchLogsClient;
  /** The load balancer's metrics, for the analysis of a canary, linear or blue/green rollout. */
  cloudwatch?: CloudWatchClient;
}

export function createServiceClients(settings: AwsSettings = {}): ServiceClients {
  return {
    ecs: createClient(ECSClient, settings),
    elb: createClient(ElasticLoadBalancingV2Client, settings),
    ecr: createClient(ECRClient, settings),
    logs: createClient(CloudWatchLogsClient, settings),
    cloudwatch: createClient(CloudWatchClient, settings),
  };
}
