/**
 * What one poll of the gate sees, reduced to the fields the verdict, the progress lines and the
 * diagnosis use. Plain data with times in milliseconds, so tables of cases can be written by hand.
 */

export interface ContainerView {
  name: string;
  lastStatus?: string;
  exitCode?: number;
  reason?: string;
  /** HEALTHY, UNHEALTHY or UNKNOWN (UNKNOWN too when the container has no health check). */
  healthStatus?: string;
}

export interface TaskView {
  arn: string;
  /** The last part of the ARN, as the console and service events show it. */
  id: string;
  taskDefinitionArn?: string;
  lastStatus: string;
  desiredStatus: string;
  /** The deployment that started it (ECS sets startedBy to the deployment id). */
  startedBy?: string;
  startedAt?: number;
  stoppedAt?: number;
  /** The private IPv4 address of the task's ENI (awsvpc). */
  ip?: string;
  stopCode?: string;
  stoppedReason?: string;
  containers: ContainerView[];
}

export interface TargetView {
  id: string;
  port?: number;
  state: string;
  reason?: string;
  description?: string;
}

/** One of the service's load balancer entries, with the targets its target group has now. */
export interface TargetGroupView {
  arn: string;
  name: string;
  containerName: string;
  containerPort: number;
  healthCheckPath?: string;
  healthCheckPort?: string;
  matcher?: string;
  targets: TargetView[];
  /** The pair's other group (blue/green, canary, linear): a task's target may be there instead. */
  alternate?: { arn: string; name: string; targets: TargetView[] };
}

export interface DeploymentView {
  id: string;
  status: string;
  taskDefinition: string;
  desiredCount: number;
  runningCount: number;
  failedTasks?: number;
  rolloutState?: string;
  rolloutStateReason?: string;
  createdAt?: number;
}

export interface ServiceEventView {
  id: string;
  createdAt: number;
  message: string;
}

export interface Snapshot {
  /** When the poll was taken (the injected clock). */
  at: number;
  deployments: DeploymentView[];
  /** Newest first, as ECS returns them. */
  events: ServiceEventView[];
  /** The watched deployment's tasks, running and stopped. */
  tasks: TaskView[];
  targetGroups: TargetGroupView[];
}

export function taskIdOf(arn: string): string {
  return arn.split("/").pop() ?? arn;
}

export function shortId(id: string): string {
  return id.length > 12 ? id.slice(0, 12) : id;
}
