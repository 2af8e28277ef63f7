import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  type Service,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import {
  CreateTargetGroupCommand,
  DeleteTargetGroupCommand,
  DescribeListenersCommand,
  DescribeTargetGroupsCommand,
  type TargetGroup,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { type Clock, systemClock } from "../lib/clock";
import { ConfigurationError, ExitCode, quote, ShiplineError } from "../lib/errors";
import type { Logger } from "../lib/logger";
import type { ServiceClients } from "../service/clients";
import { readCurrentService } from "../service/current";
import { checkImagesExist } from "../service/ecr-images";
import { chooseWaitStrategy, runGate } from "../service/gate";
import type { GateSettings, ImageChange } from "../service/inputs";
import { sameDefinition } from "../service/render";
import { deleteHostRules, ensureHostRule, productionListener } from "./api-listener";
import {
  PREVIEW_TAG,
  type PreviewApiNames,
  previewApiNames,
  previewTaskDefinition,
  withheldFromPreview,
} from "./api-plan";

/** What a preview's API is made from: production's service, and what the pull request changes. */
export interface PreviewApiSettings {
  cluster: string;
  /** Production's ECS service: its task definition, network and target group are the template. */
  service: string;
  pullRequest: number;
  /** The preview domain: the rule matches pr-<n>.<domain>. */
  domain: string;
  /** The pull request's images, by digest. */
  images: ImageChange[];
  /** container → NAME → value, e.g. the embedded database instead of production's. */
  environment: Record<string, Record<string, string>>;
  /** graceMs absent: production's health check grace period, which the preview service copies. */
  gate: Omit<GateSettings, "graceMs"> & { graceMs?: number };
  dryRun: boolean;
}

export interface PreviewApiDeps {
  clients: Pick<ServiceClients, "ecs" | "elb" | "ecr">;
  logger: Logger;
  clock?: Clock;
  signal?: AbortSignal;
}

export interface PreviewApiResult {
  names: PreviewApiNames;
  taskDefinitionArn: string;
  targetGroupArn: string;
  ruleArn: string;
  /** created (a new service), updated, unchanged or planned (dry run). */
  service: "created" | "updated" | "unchanged" | "planned";
}

const isNamed = (error: unknown, ...names: string[]) =>
  names.some((name) => (error as Error | undefined)?.name === name);

async function describeService(
  clients: PreviewApiDeps["clients"],
  cluster: string,
  name: string,
): Promise<Service | undefined> {
  const found = (await clients.ecs.send(new DescribeServicesCommand({ cluster, services: [name] })))
    .services?.[0];
  return found && found.status !== "INACTIVE" ? found : undefined;
}

async function findTargetGroup(
  clients: PreviewApiDeps["clients"],
  name: string,
): Promise<TargetGroup | undefined> {
  try {
    return (await clients.elb.send(new DescribeTargetGroupsCommand({ Names: [name] })))
      .TargetGroups?.[0];
  } catch (error) {
    if (isNamed(error, "TargetGroupNotFoundException", "TargetGroupNotFound")) return undefined;
    throw error;
  }
}

/** The preview's target group: production's settings (protocol, port, VPC, health check). */
async function ensureTargetGroup(
  clients: PreviewApiDeps["clients"],
  names: PreviewApiNames,
  production: TargetGroup,
): Promise<TargetGroup> {
  const existing = await findTargetGroup(clients, names.targetGroup);
  if (existing) return existing;
  const created = await clients.elb.send(
    new CreateTargetGroupCommand({
      Name: names.targetGroup,
      Protocol: production.Protocol,
      Port: production.Port,
      VpcId: production.VpcId,
      TargetType: production.TargetType,
      HealthCheckProtocol: production.HealthCheckProtocol,
      HealthCheckPort: production.HealthCheckPort,
      HealthCheckPath: production.HealthCheckPath,
      HealthCheckIntervalSeconds: production.HealthCheckIntervalSeconds,
      HealthCheckTimeoutSeconds: production.HealthCheckTimeoutSeconds,
      HealthyThresholdCount: production.HealthyThresholdCount,
      UnhealthyThresholdCount: production.UnhealthyThresholdCount,
      ...(production.Matcher ? { Matcher: production.Matcher } : {}),
      Tags: [{ Key: PREVIEW_TAG, Value: names.tag }],
    }),
  );
  const group = created.TargetGroups?.[0];
  if (!group?.TargetGroupArn) throw new Error(`ELBv2 created no target group ${names.targetGroup}`);
  return group;
}

/**
 * Runs (or updates) a pull request's own API: a service in production's cluster, from
 * production's task definition with the pull request's images and the preview's environment, in
 * a family of its own, behind a target group of its own that a host rule on production's
 * listener sends pr-<n>.<domain> to; gated like a release. Every step first looks for what an
 * earlier run made, so a re-run (or a run after a kill) completes instead of duplicating.
 */
export async function publishPreviewApi(
  settings: PreviewApiSettings,
  deps: PreviewApiDeps,
): Promise<PreviewApiResult> {
  const { clients, logger } = deps;
  const clock = deps.clock ?? systemClock;
  const production = await readCurrentService(clients, settings.cluster, settings.service);
  const binding = production.service.loadBalancers?.find((lb) => lb.targetGroupArn);
  const productionGroup = production.targetGroups.find(
    (group) => group.TargetGroupArn === binding?.targetGroupArn,
  );
  const loadBalancerArn = productionGroup?.LoadBalancerArns?.[0];
  if (
    !binding?.containerName ||
    binding.containerPort === undefined ||
    !productionGroup ||
    !loadBalancerArn
  ) {
    throw new ConfigurationError(
      `service ${quote(settings.service)} is not behind a load balancer's target group: a preview's API is reached through the load balancer by host`,
    );
  }
  const names = previewApiNames({
    service: settings.service,
    family: production.taskDefinition.family ?? settings.service,
    pullRequest: settings.pullRequest,
    domain: settings.domain,
  });
  const known = new Set(
    (production.taskDefinition.containerDefinitions ?? []).map((container) => container.name),
  );
  const problems = [
    ...settings.images
      .filter((image) => !known.has(image.container))
      .map(
        (image) =>
          `image for container ${quote(image.container)}, which ${settings.service}'s task definition does not have`,
      ),
    ...Object.keys(settings.environment)
      .filter((container) => !known.has(container))
      .map(
        (container) =>
          `environment for container ${quote(container)}, which ${settings.service}'s task definition does not have`,
      ),
    ...(await checkImagesExist(clients, settings.images)).problems,
  ];
  if (problems.length > 0) {
    throw new ConfigurationError(
      `the preview's API of #${settings.pullRequest} cannot start (nothing was changed):\n- ${problems.join("\n- ")}`,
    );
  }
  const withheld = withheldFromPreview(production.taskDefinition);
  if (withheld.length > 0) {
    logger.info(`preview API: runs without production's ${withheld.join(", ")}`);
  }
  const body = previewTaskDefinition(
    production.taskDefinition,
    names.family,
    settings.images,
    settings.environment,
  );
  const existing = await describeService(clients, settings.cluster, names.service);
  if (existing?.status === "DRAINING") {
    throw new ShiplineError(
      `the preview's API service ${names.service} is still being deleted (DRAINING); run again once it is gone`,
      ExitCode.TimedOut,
    );
  }
  if (settings.dryRun) {
    logger.info(
      `dry run: would ${existing ? "update" : "create"} service ${names.service} (family ${names.family}, target group ${names.targetGroup}, rule host-header ${names.host}) and gate it`,
    );
    return { names, taskDefinitionArn: "", targetGroupArn: "", ruleArn: "", service: "planned" };
  }

  // Task definition: reuse the family's newest revision when it already has this content.
  let taskDefinitionArn = "";
  const latest = await clients.ecs
    .send(
      new ListTaskDefinitionsCommand({ familyPrefix: names.family, sort: "DESC", maxResults: 1 }),
    )
    .then((listed) => listed.taskDefinitionArns?.[0]);
  if (latest) {
    const described = (
      await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: latest }))
    ).taskDefinition;
    if (described && sameDefinition(body, described)) taskDefinitionArn = latest;
  }
  if (!taskDefinitionArn) {
    const registered = await clients.ecs.send(
      new RegisterTaskDefinitionCommand({
        ...body,
        tags: [{ key: PREVIEW_TAG, value: names.tag }],
      }),
    );
    taskDefinitionArn = registered.taskDefinition?.taskDefinitionArn ?? "";
    logger.info(`preview API: registered ${taskDefinitionArn}`);
  }

  const group = await ensureTargetGroup(clients, names, productionGroup);
  const targetGroupArn = group.TargetGroupArn ?? "";
  const listenerArn = await productionListener(
    clients.elb,
    loadBalancerArn,
    productionGroup.TargetGroupArn ?? "",
  );
  const rule = await ensureHostRule(clients.elb, listenerArn, names.host, targetGroupArn, [
    { Key: PREVIEW_TAG, Value: names.tag },
  ]);
  logger.info(
    `preview API: ${names.host} → target group ${names.targetGroup} (rule priority ${rule.priority}${rule.created ? ", new" : ""})`,
  );

  let outcome: PreviewApiResult["service"];
  let service: Service | undefined;
  if (!existing) {
    const created = await clients.ecs.send(
      new CreateServiceCommand({
        cluster: settings.cluster,
        serviceName: names.service,
        taskDefinition: taskDefinitionArn,
        desiredCount: 1,
        ...(production.service.launchType ? { launchType: production.service.launchType } : {}),
        ...(production.service.capacityProviderStrategy?.length
          ? { capacityProviderStrategy: production.service.capacityProviderStrategy }
          : {}),
        ...(production.service.networkConfiguration
          ? { networkConfiguration: production.service.networkConfiguration }
          : {}),
        ...(production.service.healthCheckGracePeriodSeconds !== undefined
          ? { healthCheckGracePeriodSeconds: production.service.healthCheckGracePeriodSeconds }
          : {}),
        loadBalancers: [
          {
            targetGroupArn,
            containerName: binding.containerName,
            containerPort: binding.containerPort,
          },
        ],
        tags: [{ key: PREVIEW_TAG, value: names.tag }],
      }),
    );
    service = created.service;
    outcome = "created";
  } else if (
    existing.taskDefinition === taskDefinitionArn &&
    existing.desiredCount === 1 &&
    (existing.deployments ?? []).length === 1
  ) {
    service = existing;
    outcome = "unchanged";
  } else {
    const updated = await clients.ecs.send(
      new UpdateServiceCommand({
        cluster: settings.cluster,
        service: names.service,
        taskDefinition: taskDefinitionArn,
        desiredCount: 1,
      }),
    );
    service = updated.service;
    outcome = "updated";
  }
  logger.info(`preview API: service ${names.service} ${outcome} on ${taskDefinitionArn}`);
  const deploymentId =
    service?.deployments?.find((deployment) => deployment.status === "PRIMARY")?.id ?? "";

  const current = await readCurrentService(clients, settings.cluster, names.service);
  const gate = await runGate({
    clients,
    clock,
    logger,
    cluster: settings.cluster,
    service: names.service,
    strategy: chooseWaitStrategy(current),
    settings: {
      ...settings.gate,
      graceMs:
        settings.gate.graceMs ?? (production.service.healthCheckGracePeriodSeconds ?? 0) * 1000,
    },
    deploymentId,
    knownEventIds: (current.service.events ?? []).flatMap((event) => event.id ?? []),
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  if (!gate.passed) {
    // A preview has no earlier release to return to that anyone relies on: the failing tasks
    // stop (no restart loop), and the job fails with the gate's reason.
    await clients.ecs.send(
      new UpdateServiceCommand({
        cluster: settings.cluster,
        service: names.service,
        desiredCount: 0,
      }),
    );
    throw new ShiplineError(
      `the preview's API ${names.service} failed its gate (${gate.failure?.message ?? "unknown"}); it is scaled to 0`,
      ExitCode.FailedRolledBack,
    );
  }
  return { names, taskDefinitionArn, targetGroupArn, ruleArn: rule.ruleArn, service: outcome };
}

export interface PreviewApiRemoval {
  names: PreviewApiNames;
  /** What was removed: the service, rules, the target group, task definition revisions. */
  removed: string[];
}

/**
 * Removes a pull request's API: the service (scaled to 0, then deleted), its listener rules, its
 * target group, and every ACTIVE revision of its family (deregistered). Each step treats
 * "already gone" as done, so a removal killed half-way completes when run again.
 */
export async function removePreviewApi(
  settings: Pick<PreviewApiSettings, "cluster" | "service" | "pullRequest" | "domain" | "dryRun">,
  deps: PreviewApiDeps,
): Promise<PreviewApiRemoval> {
  const { clients, logger } = deps;
  const template = await describeService(clients, settings.cluster, settings.service);
  // The family is production's plus the suffix; production's definition names it.
  const family = template?.taskDefinition
    ? /:task-definition\/([^:]+):\d+$/.exec(template.taskDefinition)?.[1]
    : undefined;
  const names = previewApiNames({
    service: settings.service,
    family: family ?? settings.service,
    pullRequest: settings.pullRequest,
    domain: settings.domain,
  });
  const removed: string[] = [];
  const service = await describeService(clients, settings.cluster, names.service);
  const group = await findTargetGroup(clients, names.targetGroup);
  const revisions: string[] = [];
  let token: string | undefined;
  do {
    const page = await clients.ecs.send(
      new ListTaskDefinitionsCommand({
        familyPrefix: names.family,
        status: "ACTIVE",
        ...(token ? { nextToken: token } : {}),
      }),
    );
    revisions.push(...(page.taskDefinitionArns ?? []));
    token = page.nextToken;
  } while (token);
  if (settings.dryRun) {
    if (service) logger.info(`would scale to 0 and delete service ${names.service}`);
    if (group)
      logger.info(`would delete the rules of ${names.host} and target group ${names.targetGroup}`);
    for (const arn of revisions) logger.info(`would deregister ${arn}`);
    return { names, removed };
  }
  if (service && service.status === "ACTIVE") {
    try {
      if ((service.desiredCount ?? 0) > 0) {
        await clients.ecs.send(
          new UpdateServiceCommand({
            cluster: settings.cluster,
            service: names.service,
            desiredCount: 0,
          }),
        );
      }
      await clients.ecs.send(
        new DeleteServiceCommand({
          cluster: settings.cluster,
          service: names.service,
          force: true,
        }),
      );
    } catch (error) {
      if (!isNamed(error, "ServiceNotFoundException", "ServiceNotActiveException")) throw error;
    }
    removed.push(`service ${names.service}`);
  }
  // Rules go before the group: ELBv2 refuses to delete a target group a rule forwards to.
  const listeners = group?.LoadBalancerArns?.length
    ? await listenersOf(clients, group.LoadBalancerArns)
    : template
      ? await productionListeners(clients, settings.cluster, settings.service)
      : [];
  for (const rule of await deleteHostRules(
    clients.elb,
    listeners,
    names.host,
    group?.TargetGroupArn,
  )) {
    removed.push(`rule ${rule}`);
  }
  if (group?.TargetGroupArn) {
    try {
      await clients.elb.send(
        new DeleteTargetGroupCommand({ TargetGroupArn: group.TargetGroupArn }),
      );
    } catch (error) {
      if (!isNamed(error, "TargetGroupNotFoundException", "TargetGroupNotFound")) throw error;
    }
    removed.push(`target group ${names.targetGroup}`);
  }
  for (const arn of revisions) {
    await clients.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn }));
    removed.push(`task definition ${arn}`);
  }
  logger.info(
    removed.length > 0
      ? `preview API of #${settings.pullRequest}: removed ${removed.join(", ")}`
      : `preview API of #${settings.pullRequest}: nothing to remove`,
  );
  return { names, removed };
}

async function listenersOf(
  clients: PreviewApiDeps["clients"],
  loadBalancerArns: string[],
): Promise<string[]> {
  const arns: string[] = [];
  for (const loadBalancerArn of loadBalancerArns) {
    const listed = await clients.elb.send(
      new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn }),
    );
    arns.push(...(listed.Listeners ?? []).flatMap((listener) => listener.ListenerArn ?? []));
  }
  return arns;
}

/** When the preview's group is gone already, a rule left for its host is on production's listeners. */
async function productionListeners(
  clients: PreviewApiDeps["clients"],
  cluster: string,
  service: string,
): Promise<string[]> {
  const production = await readCurrentService(clients, cluster, service);
  return listenersOf(
    clients,
    production.targetGroups.flatMap((group) => group.LoadBalancerArns ?? []),
  );
}
