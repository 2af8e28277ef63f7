import { randomBytes, randomUUID } from "node:crypto";
import { AwsError } from "../../server/errors";
import type { JsonFile } from "../../state/json-file";
import type { Elbv2Service } from "../elbv2";
import type { ServiceContext } from "../service";
import {
  type ClusterRecord,
  type DeploymentRecord,
  deploymentAlarmsOf,
  type Json,
  type ServiceRecord,
  secondsOf,
  type Tag,
  type TaskDefinitionRecord,
  type TaskRecord,
} from "./model";
import { newDeploymentId } from "./scheduler";
import {
  currentServiceDeployment,
  describeBrief,
  describeServiceDeployment,
  describeServiceRevision,
  isFinal,
  isTrafficShift,
  startServiceDeployment,
} from "./service-deployments";
import type { EcsState } from "./store";
import {
  advancedConfigurationOf,
  checkTrafficShifting,
  shiftsTraffic,
  strategySettingsOf,
} from "./strategy-config";
import { idleTargetGroups, liveTargetGroups } from "./traffic-shift";

/** What API calls may set in motion beyond the stored state. */
export interface EcsEffects {
  launch(task: TaskRecord, definition: Json): void;
  stop(task: TaskRecord, reason: string): void;
  /** Runs the scheduler soon (after a service change). */
  nudge(): void;
  /** The load balancer service, where the cloud has one (target groups, listener rules). */
  elb(): Elbv2Service | undefined;
}

const clientError = (message: string) => new AwsError("ClientException", message);
const invalid = (message: string) => new AwsError("InvalidParameterException", message);

const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/** A task-level memory value ("1024", "1GB", "1 GB") in MiB; undefined when absent or unreadable. */
const mebibytes = (value: unknown): number | undefined => {
  const match = /^\s*(\d+)\s*(gb)?\s*$/i.exec(typeof value === "string" ? value : "");
  if (!match) return undefined;
  return Number(match[1]) * (match[2] ? 1024 : 1);
};

/** The ECS API (JSON 1.1) over the stored state. */
export class EcsApi {
  constructor(
    private readonly context: ServiceContext,
    private readonly state: JsonFile<EcsState>,
    private readonly effects: EcsEffects,
  ) {}

  private arn(resource: string): string {
    return `arn:aws:ecs:${this.context.region}:${this.context.accountId}:${resource}`;
  }

  handle(operation: string, input: Json): unknown {
    const handler = (this as unknown as Record<string, (input: Json) => unknown>)[`op${operation}`];
    if (typeof handler !== "function") {
      throw new AwsError(
        "UnknownOperationException",
        `localcloud does not emulate ecs ${operation}`,
      );
    }
    return handler.call(this, input);
  }

  // ── clusters ──────────────────────────────────────────────────────────────────────────────────

  opCreateCluster(input: Json) {
    const name = str(input.clusterName) ?? "default";
    let cluster = this.state.data.clusters.find(
      (c) => c.clusterName === name && c.status === "ACTIVE",
    );
    if (!cluster) {
      cluster = {
        clusterArn: this.arn(`cluster/${name}`),
        clusterName: name,
        status: "ACTIVE",
        tags: (input.tags as Tag[]) ?? [],
      };
      const created = cluster;
      this.state.update((s) => {
        s.clusters = s.clusters.filter((c) => c.clusterName !== name);
        s.clusters.push(created);
      });
    }
    return { cluster: this.describeCluster(cluster) };
  }

  opDescribeClusters(input: Json) {
    const names = (input.clusters as string[] | undefined) ?? ["default"];
    const clusters: unknown[] = [];
    const failures: unknown[] = [];
    for (const name of names) {
      const cluster = this.findCluster(name);
      if (cluster) clusters.push(this.describeCluster(cluster));
      else
        failures.push({
          arn: name.startsWith("arn:") ? name : this.arn(`cluster/${name}`),
          reason: "MISSING",
        });
    }
    return { clusters, failures };
  }

  opListClusters() {
    return {
      clusterArns: this.state.data.clusters
        .filter((c) => c.status === "ACTIVE")
        .map((c) => c.clusterArn),
    };
  }

  opDeleteCluster(input: Json) {
    const cluster = this.cluster(input.cluster);
    if (
      this.state.data.services.some(
        (s) => s.clusterArn === cluster.clusterArn && s.status !== "INACTIVE",
      )
    ) {
      throw new AwsError(
        "ClusterContainsServicesException",
        "The Cluster cannot be deleted while Services are active.",
      );
    }
    this.state.update(() => {
      cluster.status = "INACTIVE";
    });
    return { cluster: this.describeCluster(cluster) };
  }

  private describeCluster(cluster: ClusterRecord) {
    const tasks = this.state.data.tasks.filter((t) => t.clusterArn === cluster.clusterArn);
    return {
      clusterArn: cluster.clusterArn,
      clusterName: cluster.clusterName,
      status: cluster.status,
      runningTasksCount: tasks.filter((t) => t.lastStatus === "RUNNING").length,
      pendingTasksCount: tasks.filter(
        (t) => t.lastStatus === "PENDING" || t.lastStatus === "PROVISIONING",
      ).length,
      activeServicesCount: this.state.data.services.filter(
        (s) => s.clusterArn === cluster.clusterArn && s.status === "ACTIVE",
      ).length,
      registeredContainerInstancesCount: 0,
      capacityProviders: ["FARGATE"],
      tags: cluster.tags,
    };
  }

  private findCluster(nameOrArn: unknown): ClusterRecord | undefined {
    const key = str(nameOrArn) ?? "default";
    return this.state.data.clusters.find(
      (c) => (c.clusterArn === key || c.clusterName === key) && c.status === "ACTIVE",
    );
  }

  cluster(nameOrArn: unknown): ClusterRecord {
    const cluster = this.findCluster(nameOrArn);
    if (!cluster) throw new AwsError("ClusterNotFoundException", "Cluster not found.");
    return cluster;
  }

  // ── task definitions ──────────────────────────────────────────────────────────────────────────

  opRegisterTaskDefinition(input: Json) {
    const family = str(input.family);
    if (!family || !/^[a-zA-Z0-9_-]{1,255}$/.test(family)) {
      throw clientError(`Family contains invalid characters: ${JSON.stringify(input.family)}`);
    }
    const containers = input.containerDefinitions as Json[] | undefined;
    if (!Array.isArray(containers) || containers.length === 0) {
      throw clientError("Container definitions must contain at least one container.");
    }
    const names = new Set<string>();
    for (const container of containers) {
      const name = str(container.name);
      if (!name) throw clientError("Container.name should not be null or empty.");
      if (names.has(name)) throw clientError(`Duplicate container name: ${name}`);
      names.add(name);
      if (!str(container.image)) throw clientError("Container.image should not be null or empty.");
      // ECS reads secrets with the task execution role, so it refuses a definition without one.
      if (
        Array.isArray(container.secrets) &&
        container.secrets.length > 0 &&
        !str(input.executionRoleArn)
      ) {
        throw clientError(
          "When you are specifying container secrets, you must also specify a value for 'executionRoleArn'.",
        );
      }
      const taskMemory = mebibytes(input.memory);
      if (
        taskMemory !== undefined &&
        typeof container.memory === "number" &&
        container.memory > taskMemory
      ) {
        throw clientError(
          `The 'memory' setting for container '${name}' is greater than for the task.`,
        );
      }
      for (const secret of (container.secrets as Json[] | undefined) ?? []) {
        if (!str(secret.name) || !str(secret.valueFrom)) {
          throw clientError(`Container ${name}: each secret needs a name and a valueFrom.`);
        }
      }
    }
    if (input.networkMode === "awsvpc" || input.requiresCompatibilities) {
      // Fargate needs task-level cpu/memory; keep AWS's rule.
      const fargate = (input.requiresCompatibilities as string[] | undefined)?.includes("FARGATE");
      if (fargate && (!input.cpu || !input.memory)) {
        throw clientError("Fargate requires task definition to have cpu and memory values.");
      }
    }
    const { tags, ...definitionInput } = input as Json & { tags?: Tag[] };
    const revisions = this.state.data.taskDefinitions[family] ?? [];
    const revision = revisions.length + 1;
    const definition: Json = {
      ...definitionInput,
      containerDefinitions: containers.map((c) => ({ essential: true, ...c })),
      taskDefinitionArn: this.arn(`task-definition/${family}:${revision}`),
      revision,
      status: "ACTIVE",
      requiresAttributes: [],
      compatibilities: ["EC2", "FARGATE"],
      registeredAt: Date.now() / 1000,
      registeredBy: `arn:aws:iam::${this.context.accountId}:user/localcloud`,
    };
    const record: TaskDefinitionRecord = { definition, tags: tags ?? [] };
    this.state.update((s) => {
      s.taskDefinitions[family] = [...revisions, record];
    });
    return { taskDefinition: definition, tags: record.tags };
  }

  opDescribeTaskDefinition(input: Json) {
    const record = this.taskDefinition(input.taskDefinition);
    const include = (input.include as string[] | undefined) ?? [];
    return {
      taskDefinition: record.definition,
      ...(include.includes("TAGS") ? { tags: record.tags } : {}),
    };
  }

  opDeregisterTaskDefinition(input: Json) {
    const record = this.taskDefinition(input.taskDefinition);
    this.state.update(() => {
      record.definition.status = "INACTIVE";
      record.definition.deregisteredAt = Date.now() / 1000;
    });
    return { taskDefinition: record.definition };
  }

  opListTaskDefinitions(input: Json) {
    const prefix = str(input.familyPrefix);
    const status = str(input.status) ?? "ACTIVE";
    const arns = Object.entries(this.state.data.taskDefinitions)
      .filter(([family]) => !prefix || family === prefix)
      .flatMap(([, revisions]) => revisions.map((r) => r.definition))
      .filter((d) => d.status === status)
      .map((d) => d.taskDefinitionArn as string);
    if (input.sort === "DESC") arns.reverse();
    return { taskDefinitionArns: arns };
  }

  opListTaskDefinitionFamilies(input: Json) {
    const prefix = str(input.familyPrefix) ?? "";
    return {
      families: Object.keys(this.state.data.taskDefinitions)
        .filter((f) => f.startsWith(prefix))
        .sort(),
    };
  }

  /** By ARN, `family:revision` or `family` (the latest ACTIVE revision). */
  taskDefinition(reference: unknown): TaskDefinitionRecord {
    const ref = str(reference) ?? "";
    const short = ref.startsWith("arn:") ? (ref.split("task-definition/")[1] ?? "") : ref;
    const [family, revision] = short.split(":");
    const revisions = this.state.data.taskDefinitions[family ?? ""] ?? [];
    const record = revision
      ? revisions[Number(revision) - 1]
      : [...revisions].reverse().find((r) => r.definition.status === "ACTIVE");
    if (!record) throw clientError("Unable to describe task definition.");
    return record;
  }

  /**
   * A task definition new tasks may start from. ECS refuses a deregistered (INACTIVE) revision
   * for RunTask, CreateService and UpdateService alike, though not with the same error code:
   * UpdateService and CreateService answer ClientException, RunTask InvalidParameterException.
   */
  private launchable(
    reference: unknown,
    refuse: (message: string) => AwsError,
  ): TaskDefinitionRecord {
    const record = this.taskDefinition(reference);
    if (record.definition.status !== "ACTIVE") throw refuse("TaskDefinition is inactive");
    return record;
  }

  // ── services ──────────────────────────────────────────────────────────────────────────────────

  opCreateService(input: Json) {
    const cluster = this.cluster(input.cluster);
    const name = str(input.serviceName);
    if (!name) throw invalid("serviceName must be specified.");
    if (
      this.state.data.services.some(
        (s) =>
          s.serviceName === name && s.clusterArn === cluster.clusterArn && s.status !== "INACTIVE",
      )
    ) {
      throw invalid("Creation of service was not idempotent.");
    }
    const record = this.launchable(input.taskDefinition, clientError);
    const loadBalancers = this.loadBalancersOf(input.loadBalancers, record.definition);
    const config = (input.deploymentConfiguration as Json | undefined) ?? {};
    const breaker = (config.deploymentCircuitBreaker as Json | undefined) ?? {};
    const strategy = strategySettingsOf(config);
    checkTrafficShifting(strategy.strategy ?? "ROLLING", loadBalancers, this.ruleLookup());
    const {
      cluster: _c,
      serviceName: _n,
      taskDefinition: _t,
      desiredCount: _d,
      loadBalancers: _l,
      deploymentConfiguration: _dc,
      networkConfiguration: _nc,
      healthCheckGracePeriodSeconds: _h,
      tags: _tags,
      launchType: _lt,
      clientToken: _ct,
      ...extra
    } = input;
    const now = Date.now();
    const service: ServiceRecord = {
      serviceArn: this.arn(`service/${cluster.clusterName}/${name}`),
      serviceName: name,
      clusterArn: cluster.clusterArn,
      taskDefinition: record.definition.taskDefinitionArn as string,
      desiredCount: Number(input.desiredCount ?? 0),
      launchType: str(input.launchType) ?? "FARGATE",
      loadBalancers,
      ...(input.networkConfiguration
        ? { networkConfiguration: input.networkConfiguration as Json }
        : {}),
      deploymentConfiguration: {
        deploymentCircuitBreaker: {
          enable: breaker.enable === true,
          rollback: breaker.rollback === true,
        },
        ...(deploymentAlarmsOf(config.alarms) ? { alarms: deploymentAlarmsOf(config.alarms) } : {}),
        maximumPercent: Number(config.maximumPercent ?? 200),
        minimumHealthyPercent: Number(config.minimumHealthyPercent ?? 100),
        ...strategy,
      },
      healthCheckGracePeriodSeconds: Number(input.healthCheckGracePeriodSeconds ?? 0),
      deployments: [],
      events: [],
      status: "ACTIVE",
      createdAt: now,
      tags: (input.tags as Tag[]) ?? [],
      extra,
    };
    if (service.desiredCount < 0) throw invalid("desiredCount must be >= 0");
    const first = this.newDeployment(service, service.taskDefinition);
    service.deployments.push(first);
    startServiceDeployment(service, first, []);
    this.state.update((s) => {
      s.services.push(service);
    });
    this.effects.nudge();
    return { service: this.describeService(service) };
  }

  opUpdateService(input: Json) {
    const service = this.service(input.cluster, input.service);
    if (service.status !== "ACTIVE")
      throw new AwsError("ServiceNotActiveException", "Service was not ACTIVE.");
    const primary = service.deployments.find((d) => d.status === "PRIMARY");
    let newTaskDefinition: string | undefined;
    if (input.taskDefinition !== undefined) {
      const record = this.launchable(input.taskDefinition, clientError);
      newTaskDefinition = record.definition.taskDefinitionArn as string;
      if (input.loadBalancers === undefined)
        this.loadBalancersOf(service.loadBalancers, record.definition);
    }
    if (input.desiredCount !== undefined && Number(input.desiredCount) < 0)
      throw invalid("desiredCount must be >= 0");
    const loadBalancers =
      input.loadBalancers === undefined
        ? service.loadBalancers
        : this.loadBalancersOf(
            input.loadBalancers,
            this.taskDefinition(newTaskDefinition ?? service.taskDefinition).definition,
          );
    const requested = (input.deploymentConfiguration as Json | undefined) ?? {};
    const strategy = strategySettingsOf(requested, service.deploymentConfiguration);
    const ongoing = currentServiceDeployment(service);
    // AWS: a service with a deployment in progress cannot move from blue/green (canary, linear)
    // to rolling; its user waits for the deployment to finish first.
    if (
      shiftsTraffic(service.deploymentConfiguration) &&
      (strategy.strategy ?? "ROLLING") === "ROLLING" &&
      ongoing
    ) {
      throw invalid(
        `The service has a deployment in progress (${ongoing.serviceDeploymentArn}); wait for it to complete before updating the deployment strategy to ROLLING.`,
      );
    }
    checkTrafficShifting(strategy.strategy ?? "ROLLING", loadBalancers, this.ruleLookup());
    this.state.update(() => {
      if (input.loadBalancers !== undefined) {
        const live = liveTargetGroups(service);
        service.loadBalancers = loadBalancers;
        // A load balancer keeps serving from the group it serves, if the service still names it.
        service.liveTargetGroups = loadBalancers.map((lb, i) =>
          live[i] === lb.advancedConfiguration?.alternateTargetGroupArn
            ? (live[i] as string)
            : lb.targetGroupArn,
        );
      }
      if (input.desiredCount !== undefined) service.desiredCount = Number(input.desiredCount);
      if (input.healthCheckGracePeriodSeconds !== undefined) {
        service.healthCheckGracePeriodSeconds = Number(input.healthCheckGracePeriodSeconds);
      }
      const config = input.deploymentConfiguration as Json | undefined;
      if (config) {
        const breaker = config.deploymentCircuitBreaker as Json | undefined;
        service.deploymentConfiguration = {
          deploymentCircuitBreaker: breaker
            ? { enable: breaker.enable === true, rollback: breaker.rollback === true }
            : service.deploymentConfiguration.deploymentCircuitBreaker,
          ...((deploymentAlarmsOf(config.alarms) ?? service.deploymentConfiguration.alarms)
            ? {
                alarms: deploymentAlarmsOf(config.alarms) ?? service.deploymentConfiguration.alarms,
              }
            : {}),
          maximumPercent: Number(
            config.maximumPercent ?? service.deploymentConfiguration.maximumPercent,
          ),
          minimumHealthyPercent: Number(
            config.minimumHealthyPercent ?? service.deploymentConfiguration.minimumHealthyPercent,
          ),
        };
      }
      const {
        strategy: _s,
        bakeTimeInMinutes: _b,
        canaryConfiguration: _c,
        linearConfiguration: _l,
        lifecycleHooks: _h,
        ...rest
      } = service.deploymentConfiguration;
      service.deploymentConfiguration = { ...rest, ...strategy };
      if (input.networkConfiguration)
        service.networkConfiguration = input.networkConfiguration as Json;
      const changed =
        newTaskDefinition !== undefined && newTaskDefinition !== service.taskDefinition;
      if (changed || input.forceNewDeployment === true || !primary) {
        for (const d of service.deployments) if (d.status === "PRIMARY") d.status = "ACTIVE";
        service.taskDefinition = newTaskDefinition ?? service.taskDefinition;
        const sources = this.sourcesOfNextDeployment(service);
        const next = this.newDeployment(service, service.taskDefinition);
        if (shiftsTraffic(service.deploymentConfiguration) && sources.length > 0) {
          next.targetGroups = idleTargetGroups(service);
        }
        service.deployments.unshift(next);
        startServiceDeployment(service, next, sources);
      } else if (primary) {
        primary.desiredCount = service.desiredCount;
        primary.updatedAt = Date.now();
      }
    });
    this.effects.nudge();
    return { service: this.describeService(service) };
  }

  opDescribeServices(input: Json) {
    const cluster = this.cluster(input.cluster);
    const services: unknown[] = [];
    const failures: unknown[] = [];
    for (const key of (input.services as string[] | undefined) ?? []) {
      const found = [...this.state.data.services]
        .reverse()
        .find(
          (s) =>
            s.clusterArn === cluster.clusterArn && (s.serviceName === key || s.serviceArn === key),
        );
      if (found) services.push(this.describeService(found));
      else
        failures.push({
          arn: key.startsWith("arn:") ? key : this.arn(`service/${cluster.clusterName}/${key}`),
          reason: "MISSING",
        });
    }
    return { services, failures };
  }

  opListServices(input: Json) {
    const cluster = this.cluster(input.cluster);
    return {
      serviceArns: this.state.data.services
        .filter((s) => s.clusterArn === cluster.clusterArn && s.status === "ACTIVE")
        .map((s) => s.serviceArn),
    };
  }

  opDeleteService(input: Json) {
    const service = this.service(input.cluster, input.service);
    if (service.desiredCount > 0 && input.force !== true) {
      throw invalid("The service cannot be stopped while it is scaled above 0.");
    }
    this.state.update(() => {
      service.status = "DRAINING";
      service.desiredCount = 0;
    });
    this.effects.nudge();
    return { service: this.describeService(service) };
  }

  /** Marks a drained service INACTIVE (called by the scheduler's owner once no task is left). */
  finishDeletes(): void {
    for (const service of this.state.data.services) {
      if (service.status !== "DRAINING") continue;
      const left = this.state.data.tasks.some(
        (t) =>
          t.serviceName === service.serviceName &&
          t.clusterArn === service.clusterArn &&
          t.lastStatus !== "STOPPED",
      );
      if (!left) service.status = "INACTIVE";
    }
  }

  service(clusterRef: unknown, serviceRef: unknown): ServiceRecord {
    const cluster = this.cluster(clusterRef);
    const key = str(serviceRef);
    const service = [...this.state.data.services]
      .reverse()
      .find(
        (s) =>
          s.clusterArn === cluster.clusterArn && (s.serviceName === key || s.serviceArn === key),
      );
    if (!service) throw new AwsError("ServiceNotFoundException", "Service not found.");
    return service;
  }

  private newDeployment(service: ServiceRecord, taskDefinition: string): DeploymentRecord {
    const now = Date.now();
    const id = newDeploymentId();
    return {
      id,
      status: "PRIMARY",
      taskDefinition,
      desiredCount: service.desiredCount,
      pendingCount: 0,
      runningCount: 0,
      failedTasks: 0,
      createdAt: now,
      updatedAt: now,
      launchType: service.launchType,
      rolloutState: "IN_PROGRESS",
      rolloutStateReason: `ECS deployment ${id} in progress.`,
      ...(service.networkConfiguration
        ? { networkConfiguration: service.networkConfiguration }
        : {}),
      ...(service.loadBalancers.length > 0 ? { targetGroups: liveTargetGroups(service) } : {}),
    };
  }

  /**
   * The deployments a new one replaces. A traffic shift replaces what serves production: a
   * deployment it supersedes half-way (its tasks in the idle target group) is only stopped.
   */
  private sourcesOfNextDeployment(service: ServiceRecord): DeploymentRecord[] {
    if (!shiftsTraffic(service.deploymentConfiguration)) return [...service.deployments];
    const live = liveTargetGroups(service).join(" ");
    const current = currentServiceDeployment(service);
    return service.deployments.filter(
      (d) =>
        (d.targetGroups ?? liveTargetGroups(service)).join(" ") === live &&
        !(current && isTrafficShift(current) && d.id === current.deploymentId),
    );
  }

  private ruleLookup() {
    const elb = this.effects.elb();
    if (!elb) return undefined;
    return {
      targetGroupExists: (arn: string) => elb.targetGroup(arn) !== undefined,
      ruleTargets: (arn: string) => elb.ruleTargets(arn),
    };
  }

  private loadBalancersOf(value: unknown, definition: Json): ServiceRecord["loadBalancers"] {
    const list = (value as Array<Json> | undefined) ?? [];
    const containers = definition.containerDefinitions as Array<{
      name: string;
      portMappings?: Array<{ containerPort?: number }>;
    }>;
    return list.map((lb) => {
      const containerName = str(lb.containerName) ?? "";
      const containerPort = Number(lb.containerPort);
      const targetGroupArn = str(lb.targetGroupArn) ?? "";
      const container = containers.find((c) => c.name === containerName);
      if (!container) {
        throw invalid(`The container ${containerName} does not exist in the task definition.`);
      }
      if (!(container.portMappings ?? []).some((p) => p.containerPort === containerPort)) {
        throw invalid(
          `The container ${containerName} did not have a container port ${containerPort} defined.`,
        );
      }
      const advanced = advancedConfigurationOf(lb.advancedConfiguration);
      return {
        targetGroupArn,
        containerName,
        containerPort,
        ...(advanced ? { advancedConfiguration: advanced } : {}),
      };
    });
  }

  describeService(service: ServiceRecord) {
    const deployments = service.deployments.map(
      ({
        steadyAt: _s,
        ecsRollback: _r,
        rollbackOf: _o,
        revisionArn: _v,
        serviceDeploymentArn: _sd,
        targetGroups: _tg,
        ...d
      }) => ({
        ...d,
        createdAt: secondsOf(d.createdAt),
        updatedAt: secondsOf(d.updatedAt),
      }),
    );
    return {
      ...service.extra,
      serviceArn: service.serviceArn,
      serviceName: service.serviceName,
      clusterArn: service.clusterArn,
      taskDefinition: service.taskDefinition,
      desiredCount: service.desiredCount,
      runningCount: service.deployments.reduce((n, d) => n + d.runningCount, 0),
      pendingCount: service.deployments.reduce((n, d) => n + d.pendingCount, 0),
      launchType: service.launchType,
      loadBalancers: service.loadBalancers,
      ...(service.networkConfiguration
        ? { networkConfiguration: service.networkConfiguration }
        : {}),
      deploymentConfiguration: service.deploymentConfiguration,
      healthCheckGracePeriodSeconds: service.healthCheckGracePeriodSeconds,
      deployments,
      events: service.events.map((e) => ({ ...e, createdAt: secondsOf(e.createdAt) })),
      status: service.status,
      createdAt: secondsOf(service.createdAt),
      ...(service.serviceDeployments?.[0]
        ? { currentServiceDeployment: service.serviceDeployments[0].serviceDeploymentArn }
        : {}),
      currentServiceRevisions: service.deployments.flatMap((d) =>
        d.revisionArn
          ? [
              {
                arn: d.revisionArn,
                requestedTaskCount: d.desiredCount,
                runningTaskCount: d.runningCount,
                pendingTaskCount: d.pendingCount,
              },
            ]
          : [],
      ),
      schedulingStrategy: "REPLICA",
      deploymentController: { type: "ECS" },
      tags: service.tags,
    };
  }

  // ── service deployments ───────────────────────────────────────────────────────────────────────

  opListServiceDeployments(input: Json) {
    if (!str(input.service)) throw invalid("service must be specified.");
    const service = this.service(input.cluster, input.service);
    const statuses = (input.status as string[] | undefined) ?? [];
    const createdAt = (input.createdAt as { before?: number; after?: number } | undefined) ?? {};
    const maxResults = Number(input.maxResults ?? 20);
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 100) {
      throw invalid("maxResults must be between 1 and 100.");
    }
    const matching = (service.serviceDeployments ?? []).filter(
      (sd) =>
        (statuses.length === 0 || statuses.includes(sd.status)) &&
        (createdAt.before === undefined || sd.createdAt <= Number(createdAt.before) * 1000) &&
        (createdAt.after === undefined || sd.createdAt >= Number(createdAt.after) * 1000),
    );
    let start = 0;
    if (input.nextToken !== undefined) {
      start = Number(Buffer.from(String(input.nextToken), "base64url").toString("utf8"));
      if (!Number.isInteger(start) || start < 0) throw invalid("Invalid nextToken.");
    }
    const page = matching.slice(start, start + maxResults);
    const end = start + page.length;
    return {
      serviceDeployments: page.map(describeBrief),
      ...(end < matching.length
        ? { nextToken: Buffer.from(String(end)).toString("base64url") }
        : {}),
    };
  }

  private findServiceDeployment(arn: string) {
    for (const service of this.state.data.services) {
      const sd = service.serviceDeployments?.find((d) => d.serviceDeploymentArn === arn);
      if (sd) return { service, sd };
    }
    return undefined;
  }

  opDescribeServiceDeployments(input: Json) {
    const arns = input.serviceDeploymentArns as unknown[] | undefined;
    if (!Array.isArray(arns) || arns.length === 0) {
      throw invalid("serviceDeploymentArns must name at least one service deployment.");
    }
    if (arns.length > 20) throw invalid("serviceDeploymentArns can name at most 20 deployments.");
    const serviceDeployments: unknown[] = [];
    const failures: unknown[] = [];
    for (const arn of arns.map(String)) {
      const found = this.findServiceDeployment(arn);
      if (found) serviceDeployments.push(describeServiceDeployment(found.service, found.sd));
      else failures.push({ arn, reason: "MISSING" });
    }
    return { serviceDeployments, failures };
  }

  opStopServiceDeployment(input: Json) {
    const arn = str(input.serviceDeploymentArn);
    if (!arn) throw invalid("serviceDeploymentArn must be specified.");
    const stopType = str(input.stopType) ?? "ROLLBACK";
    if (stopType !== "ROLLBACK") {
      throw invalid(`stopType ${stopType} is not supported. The valid values are ROLLBACK.`);
    }
    const found = this.findServiceDeployment(arn);
    if (!found) {
      throw new AwsError(
        "ServiceDeploymentNotFoundException",
        `The service deployment ${arn} does not exist.`,
      );
    }
    const { sd } = found;
    if (isFinal(sd)) {
      throw new AwsError(
        "ConflictException",
        `The service deployment is ${sd.status} and can no longer be stopped.`,
      );
    }
    if (sd.status === "PENDING" || sd.status === "IN_PROGRESS") {
      this.state.update(() => {
        sd.status = "ROLLBACK_REQUESTED";
        sd.statusReason = "Service deployment rolled back because of a stop request.";
        sd.updatedAt = Date.now();
      });
      this.effects.nudge();
    }
    return { serviceDeploymentArn: arn };
  }

  opDescribeServiceRevisions(input: Json) {
    const arns = input.serviceRevisionArns as unknown[] | undefined;
    if (!Array.isArray(arns) || arns.length === 0) {
      throw invalid("serviceRevisionArns must name at least one service revision.");
    }
    if (arns.length > 20) throw invalid("serviceRevisionArns can name at most 20 revisions.");
    const serviceRevisions: unknown[] = [];
    const failures: unknown[] = [];
    for (const arn of arns.map(String)) {
      const revision = this.state.data.services
        .flatMap((s) => s.serviceRevisions ?? [])
        .find((r) => r.serviceRevisionArn === arn);
      if (revision) serviceRevisions.push(describeServiceRevision(revision));
      else failures.push({ arn, reason: "MISSING" });
    }
    return { serviceRevisions, failures };
  }

  // ── tasks ─────────────────────────────────────────────────────────────────────────────────────

  opRunTask(input: Json) {
    const cluster = this.cluster(input.cluster);
    const record = this.launchable(input.taskDefinition, invalid);
    const count = Number(input.count ?? 1);
    if (!(count >= 1 && count <= 10)) throw invalid("count must be between 1 and 10");
    const tasks = Array.from({ length: count }, () =>
      this.createTask({
        cluster,
        definition: record.definition,
        group: str(input.group) ?? `family:${record.definition.family}`,
        ...(str(input.startedBy) ? { startedBy: str(input.startedBy) as string } : {}),
        overrides: (input.overrides as Json | undefined) ?? {},
        ...(input.networkConfiguration
          ? { networkConfiguration: input.networkConfiguration as Json }
          : {}),
      }),
    );
    return { tasks: tasks.map((t) => this.describeTask(t)), failures: [] };
  }

  /** Creates a task record and launches it (RunTask and the service scheduler share this). */
  createTask(options: {
    cluster: ClusterRecord;
    definition: Json;
    group: string;
    startedBy?: string;
    serviceName?: string;
    deploymentId?: string;
    overrides?: Json;
    networkConfiguration?: Json;
  }): TaskRecord {
    const taskId = randomBytes(16).toString("hex");
    const awsvpc = (options.networkConfiguration?.awsvpcConfiguration ?? {}) as {
      subnets?: string[];
    };
    const task: TaskRecord = {
      taskArn: this.arn(`task/${options.cluster.clusterName}/${taskId}`),
      taskId,
      clusterArn: options.cluster.clusterArn,
      taskDefinitionArn: options.definition.taskDefinitionArn as string,
      group: options.group,
      ...(options.startedBy ? { startedBy: options.startedBy } : {}),
      ...(options.serviceName ? { serviceName: options.serviceName } : {}),
      ...(options.deploymentId ? { deploymentId: options.deploymentId } : {}),
      lastStatus: "PROVISIONING",
      desiredStatus: "RUNNING",
      createdAt: Date.now(),
      eniId: `eni-${randomBytes(8).toString("hex")}`,
      attachmentId: randomUUID(),
      subnetId: awsvpc.subnets?.[0] ?? "subnet-localcloud",
      containers: (
        options.definition.containerDefinitions as Array<
          Json & { name: string; image: string; essential?: boolean }
        >
      ).map((c) => ({
        name: c.name,
        image: c.image,
        essential: c.essential ?? true,
        lastStatus: "PENDING",
        healthStatus: "UNKNOWN",
      })),
      healthStatus: "UNKNOWN",
      overrides: options.overrides ?? {},
      ...(str(options.definition.cpu) ? { cpu: str(options.definition.cpu) as string } : {}),
      ...(str(options.definition.memory)
        ? { memory: str(options.definition.memory) as string }
        : {}),
      targets: [],
      version: 1,
    };
    this.state.update((s) => {
      s.tasks.push(task);
    });
    this.effects.launch(task, options.definition);
    return task;
  }

  opStopTask(input: Json) {
    const task = this.task(input.cluster, input.task);
    this.effects.stop(task, str(input.reason) ?? "Task stopped by user");
    return { task: this.describeTask(task) };
  }

  opListTasks(input: Json) {
    const cluster = this.cluster(input.cluster);
    const desired = str(input.desiredStatus) ?? "RUNNING";
    const family = str(input.family);
    const serviceName = str(input.serviceName);
    const startedBy = str(input.startedBy);
    const taskArns = this.state.data.tasks
      .filter(
        (t) =>
          t.clusterArn === cluster.clusterArn &&
          t.desiredStatus === desired &&
          (!family || t.taskDefinitionArn.includes(`task-definition/${family}:`)) &&
          (!serviceName || t.serviceName === serviceName || t.group === `service:${serviceName}`) &&
          (!startedBy || t.startedBy === startedBy),
      )
      .map((t) => t.taskArn);
    return { taskArns };
  }

  opDescribeTasks(input: Json) {
    const cluster = this.cluster(input.cluster);
    const tasks: unknown[] = [];
    const failures: unknown[] = [];
    for (const key of (input.tasks as string[] | undefined) ?? []) {
      const task = this.state.data.tasks.find(
        (t) => t.clusterArn === cluster.clusterArn && (t.taskArn === key || t.taskId === key),
      );
      if (task) tasks.push(this.describeTask(task));
      else failures.push({ arn: key, reason: "MISSING" });
    }
    return { tasks, failures };
  }

  task(clusterRef: unknown, taskRef: unknown): TaskRecord {
    const cluster = this.cluster(clusterRef);
    const key = str(taskRef);
    const task = this.state.data.tasks.find(
      (t) => t.clusterArn === cluster.clusterArn && (t.taskArn === key || t.taskId === key),
    );
    if (!task) throw invalid("The referenced task was not found.");
    return task;
  }

  describeTask(task: TaskRecord) {
    const eni = task.ip
      ? [
          {
            id: task.attachmentId,
            type: "ElasticNetworkInterface",
            status: task.lastStatus === "STOPPED" ? "DELETED" : "ATTACHED",
            details: [
              { name: "subnetId", value: task.subnetId },
              { name: "networkInterfaceId", value: task.eniId },
              { name: "macAddress", value: "0a:00:00:00:00:01" },
              { name: "privateDnsName", value: `ip-${task.ip.replaceAll(".", "-")}.ec2.internal` },
              { name: "privateIPv4Address", value: task.ip },
            ],
          },
        ]
      : [];
    return {
      taskArn: task.taskArn,
      clusterArn: task.clusterArn,
      taskDefinitionArn: task.taskDefinitionArn,
      group: task.group,
      ...(task.startedBy ? { startedBy: task.startedBy } : {}),
      lastStatus: task.lastStatus,
      desiredStatus: task.desiredStatus,
      launchType: "FARGATE",
      platformVersion: "1.4.0",
      availabilityZone: `${this.context.region}a`,
      connectivity: task.ip ? "CONNECTED" : undefined,
      createdAt: secondsOf(task.createdAt),
      pullStartedAt: secondsOf(task.pullStartedAt),
      pullStoppedAt: secondsOf(task.pullStoppedAt),
      startedAt: secondsOf(task.startedAt),
      stoppingAt: secondsOf(task.stoppingAt),
      stoppedAt: secondsOf(task.stoppedAt),
      ...(task.stopCode ? { stopCode: task.stopCode } : {}),
      ...(task.stoppedReason ? { stoppedReason: task.stoppedReason } : {}),
      healthStatus: task.healthStatus,
      cpu: task.cpu,
      memory: task.memory,
      overrides: { containerOverrides: [], ...task.overrides },
      attachments: eni,
      containers: task.containers.map((c) => ({
        containerArn: this.arn(`container/${task.taskId}/${c.name}`),
        taskArn: task.taskArn,
        name: c.name,
        image: c.image,
        ...(c.imageDigest ? { imageDigest: c.imageDigest } : {}),
        lastStatus: c.lastStatus,
        ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}),
        ...(c.reason ? { reason: c.reason } : {}),
        healthStatus: c.healthStatus,
        networkInterfaces: task.ip
          ? [{ attachmentId: task.attachmentId, privateIpv4Address: task.ip }]
          : [],
      })),
      version: task.version,
    };
  }

  // ── tags ──────────────────────────────────────────────────────────────────────────────────────

  private taggable(arn: string): { tags: Tag[] } {
    const td = arn.includes(":task-definition/") ? this.taskDefinition(arn) : undefined;
    const found =
      td ??
      this.state.data.services.find((s) => s.serviceArn === arn) ??
      this.state.data.clusters.find((c) => c.clusterArn === arn);
    if (!found) throw invalid(`The specified resource ${arn} was not found.`);
    return found;
  }

  opTagResource(input: Json) {
    const resource = this.taggable(str(input.resourceArn) ?? "");
    this.state.update(() => {
      for (const tag of (input.tags as Tag[]) ?? []) {
        resource.tags = [...resource.tags.filter((t) => t.key !== tag.key), tag];
      }
    });
    return {};
  }

  opUntagResource(input: Json) {
    const resource = this.taggable(str(input.resourceArn) ?? "");
    const keys = (input.tagKeys as string[]) ?? [];
    this.state.update(() => {
      resource.tags = resource.tags.filter((t) => !keys.includes(t.key));
    });
    return {};
  }

  opListTagsForResource(input: Json) {
    return { tags: this.taggable(str(input.resourceArn) ?? "").tags };
  }
}
