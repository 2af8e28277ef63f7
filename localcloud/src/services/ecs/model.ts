/** ECS resources as localcloud stores them; field names follow the ECS API. */

export type Json = Record<string, unknown>;

export interface Tag {
  key: string;
  value: string;
}

export interface ContainerRecord {
  name: string;
  image: string;
  imageDigest?: string;
  essential: boolean;
  lastStatus: "PENDING" | "RUNNING" | "STOPPED";
  exitCode?: number;
  reason?: string;
  healthStatus: "UNKNOWN" | "HEALTHY" | "UNHEALTHY";
}

export type TaskStatus =
  | "PROVISIONING"
  | "PENDING"
  | "RUNNING"
  | "DEACTIVATING"
  | "STOPPING"
  | "DEPROVISIONING"
  | "STOPPED";

export interface TaskRecord {
  taskArn: string;
  taskId: string;
  clusterArn: string;
  taskDefinitionArn: string;
  group: string;
  startedBy?: string;
  /** The service and deployment that own the task (service tasks only). */
  serviceName?: string;
  deploymentId?: string;
  lastStatus: TaskStatus;
  desiredStatus: "RUNNING" | "STOPPED";
  createdAt: number;
  pullStartedAt?: number;
  pullStoppedAt?: number;
  startedAt?: number;
  stoppingAt?: number;
  stoppedAt?: number;
  stopCode?: string;
  stoppedReason?: string;
  ip?: string;
  eniId: string;
  attachmentId: string;
  subnetId: string;
  containers: ContainerRecord[];
  healthStatus: "UNKNOWN" | "HEALTHY" | "UNHEALTHY";
  overrides: Json;
  cpu?: string;
  memory?: string;
  /** Targets registered for this task: target group ARN → port. */
  targets: Array<{ targetGroupArn: string; port: number }>;
  version: number;
}

export interface DeploymentRecord {
  id: string;
  status: "PRIMARY" | "ACTIVE" | "INACTIVE";
  taskDefinition: string;
  desiredCount: number;
  pendingCount: number;
  runningCount: number;
  failedTasks: number;
  createdAt: number;
  updatedAt: number;
  launchType: string;
  rolloutState: "IN_PROGRESS" | "COMPLETED" | "FAILED";
  rolloutStateReason: string;
  networkConfiguration?: Json;
  /** When the deployment reached steady state while its alarms' bake time runs (not in the API). */
  steadyAt?: number;
  /** ECS's own way back after a failure: not monitored by the deployment alarms (not in the API). */
  ecsRollback?: boolean;
  /** The deployment an ECS rollback returns from (not in the API). */
  rollbackOf?: string;
  /** The service revision this deployment runs (not in the API). */
  revisionArn?: string;
  /** The service deployment that started this deployment (not in the API). */
  serviceDeploymentArn?: string;
  /**
   * The target group each of the service's load balancers registers this deployment's tasks in
   * (same order as `loadBalancers`); absent means each load balancer's `targetGroupArn`.
   */
  targetGroups?: string[];
}

/** DeploymentAlarms: CloudWatch alarms whose ALARM state fails a rolling deployment. */
export interface DeploymentAlarms {
  alarmNames: string[];
  enable: boolean;
  rollback: boolean;
}

export interface ServiceEvent {
  id: string;
  createdAt: number;
  message: string;
}

/** deploymentConfiguration.strategy: how ECS replaces one service revision with the next. */
export type DeploymentStrategy = "ROLLING" | "BLUE_GREEN" | "LINEAR" | "CANARY";

export interface CanaryConfiguration {
  canaryPercent: number;
  canaryBakeTimeInMinutes: number;
}

export interface LinearConfiguration {
  stepPercent: number;
  stepBakeTimeInMinutes: number;
}

/** A lifecycle hook as given: stored and returned, not invoked. */
export type DeploymentLifecycleHook = Json;

export interface DeploymentConfigurationRecord {
  deploymentCircuitBreaker: { enable: boolean; rollback: boolean };
  alarms?: DeploymentAlarms;
  maximumPercent: number;
  minimumHealthyPercent: number;
  strategy?: DeploymentStrategy;
  bakeTimeInMinutes?: number;
  canaryConfiguration?: CanaryConfiguration;
  linearConfiguration?: LinearConfiguration;
  lifecycleHooks?: DeploymentLifecycleHook[];
}

/** loadBalancers[].advancedConfiguration: what a blue/green style deployment shifts traffic with. */
export interface AdvancedConfiguration {
  alternateTargetGroupArn: string;
  productionListenerRule?: string;
  testListenerRule?: string;
  roleArn?: string;
}

export interface ServiceLoadBalancer {
  targetGroupArn: string;
  containerName: string;
  containerPort: number;
  advancedConfiguration?: AdvancedConfiguration;
}

export type ServiceDeploymentStatus =
  | "PENDING"
  | "IN_PROGRESS"
  | "SUCCESSFUL"
  | "STOPPED"
  | "STOP_REQUESTED"
  | "ROLLBACK_REQUESTED"
  | "ROLLBACK_IN_PROGRESS"
  | "ROLLBACK_SUCCESSFUL"
  | "ROLLBACK_FAILED";

export type LifecycleStage =
  | "RECONCILE_SERVICE"
  | "PRE_SCALE_UP"
  | "SCALE_UP"
  | "POST_SCALE_UP"
  | "TEST_TRAFFIC_SHIFT"
  | "POST_TEST_TRAFFIC_SHIFT"
  | "PRODUCTION_TRAFFIC_SHIFT"
  | "POST_PRODUCTION_TRAFFIC_SHIFT"
  | "BAKE_TIME"
  | "CLEAN_UP";

/** A service deployment (ListServiceDeployments/DescribeServiceDeployments): one change of revision. */
export interface ServiceDeploymentRecord {
  serviceDeploymentArn: string;
  serviceArn: string;
  clusterArn: string;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  stoppedAt?: number;
  updatedAt: number;
  /** The ECS deployment that runs the target revision. */
  deploymentId: string;
  /** The ECS deployments that ran before (their revisions are the source revisions). */
  sourceDeploymentIds: string[];
  sourceRevisionArns: string[];
  targetRevisionArn: string;
  status: ServiceDeploymentStatus;
  statusReason?: string;
  lifecycleStage?: LifecycleStage;
  deploymentConfiguration: DeploymentConfigurationRecord;
  rollback?: { reason: string; startedAt: number; serviceRevisionArn: string };
  circuitBreakerTriggered?: boolean;
  /** Tasks of the target revision that failed, as the circuit breaker counted them. */
  failedTasks?: number;
  triggeredAlarmNames?: string[];
  /** Production traffic on the target revision, in percent (traffic-shifting strategies). */
  targetTrafficPercent?: number;
  /** When the current traffic step or stage began (traffic-shifting strategies). */
  stageStartedAt?: number;
}

/** A service revision: what one deployment runs (DescribeServiceRevisions). */
export interface ServiceRevisionRecord {
  serviceRevisionArn: string;
  serviceArn: string;
  clusterArn: string;
  taskDefinition: string;
  launchType: string;
  loadBalancers: ServiceLoadBalancer[];
  networkConfiguration?: Json;
  createdAt: number;
}

export interface ServiceRecord {
  serviceArn: string;
  serviceName: string;
  clusterArn: string;
  taskDefinition: string;
  desiredCount: number;
  launchType: string;
  loadBalancers: ServiceLoadBalancer[];
  networkConfiguration?: Json;
  deploymentConfiguration: DeploymentConfigurationRecord;
  healthCheckGracePeriodSeconds: number;
  deployments: DeploymentRecord[];
  events: ServiceEvent[];
  status: "ACTIVE" | "DRAINING" | "INACTIVE";
  createdAt: number;
  /** The task definition of the last deployment that completed: where a rollback returns. */
  lastCompletedTaskDefinition?: string;
  /** The service revision of the last deployment that completed (not in the API). */
  lastCompletedRevisionArn?: string;
  /** Every service deployment, newest first (older state files have none). */
  serviceDeployments?: ServiceDeploymentRecord[];
  serviceRevisions?: ServiceRevisionRecord[];
  /**
   * The target group serving production for each load balancer (same order as `loadBalancers`):
   * traffic-shifting deployments move it between `targetGroupArn` and the alternate one.
   */
  liveTargetGroups?: string[];
  tags: Tag[];
  /** Fields we accept and echo but do not act on. */
  extra: Json;
}

export interface ClusterRecord {
  clusterArn: string;
  clusterName: string;
  status: "ACTIVE" | "INACTIVE";
  tags: Tag[];
}

export interface TaskDefinitionRecord {
  /** The definition as registered, with the read-only fields ECS adds. */
  definition: Json;
  tags: Tag[];
}

/** Fields ECS fills in on registration; a client must not send them back. */
export const READ_ONLY_TASK_DEFINITION_FIELDS = [
  "taskDefinitionArn",
  "revision",
  "status",
  "requiresAttributes",
  "compatibilities",
  "registeredAt",
  "registeredBy",
  "deregisteredAt",
] as const;

/** ECS's circuit breaker threshold: half the desired count, at least 3, at most 200. */
export const circuitBreakerThreshold = (desiredCount: number): number =>
  Math.min(200, Math.max(3, Math.ceil(desiredCount * 0.5)));

export const secondsOf = (ms: number | undefined): number | undefined =>
  ms === undefined ? undefined : ms / 1000;

/** DeploymentAlarms as a request gives them, or undefined when it gives none. */
export const deploymentAlarmsOf = (value: unknown): DeploymentAlarms | undefined => {
  if (typeof value !== "object" || value === null) return undefined;
  const alarms = value as Json;
  return {
    alarmNames: ((alarms.alarmNames as unknown[] | undefined) ?? []).map(String),
    enable: alarms.enable === true,
    rollback: alarms.rollback === true,
  };
};
