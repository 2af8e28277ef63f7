import type { ContainerDefinition } from "@aws-sdk/client-ecs";
import { quote } from "../lib/errors";
import type { CurrentService } from "./current";
import type { DeployServiceInputs } from "./inputs";

export interface PreflightFindings {
  /** Reasons to refuse: the rollout would fail or cannot be gated. */
  problems: string[];
  /** Worth knowing, not blocking. */
  warnings: string[];
}

function portsOf(containers: ContainerDefinition[]): number[] {
  return containers.flatMap((container) =>
    (container.portMappings ?? []).flatMap((mapping) => mapping.containerPort ?? []),
  );
}

/**
 * Checks the request against the service before anything changes. Pure: ECR lookups are done
 * separately (ecr-images.ts). Everything that would make the rollout fail in a way the user can
 * fix now is a problem; the caller turns problems into one ConfigurationError.
 */
export function preflight(
  current: CurrentService,
  inputs: Pick<DeployServiceInputs, "images" | "environment" | "migration">,
): PreflightFindings {
  const problems: string[] = [];
  const warnings: string[] = [];
  const containers = current.taskDefinition.containerDefinitions ?? [];
  const names = containers.map((container) => container.name ?? "");
  const known = `containers of ${current.taskDefinition.family}: ${names.join(", ")}`;
  const requireContainer = (name: string, what: string) => {
    if (!names.includes(name)) {
      problems.push(
        `${what} names container ${quote(name)}, which is not in the task definition (${known})`,
      );
    }
  };
  for (const change of inputs.images) requireContainer(change.container, "images");
  for (const container of Object.keys(inputs.environment)) {
    requireContainer(container, "environment");
  }
  if (inputs.migration?.container) {
    requireContainer(inputs.migration.container, "migration-container");
  }

  const controller = current.service.deploymentController?.type ?? "ECS";
  if (controller !== "ECS") {
    problems.push(
      `service ${current.service.serviceName} uses the ${controller} deployment controller: not supported, shipline rolls services that use the ECS rolling deployment controller`,
    );
  }
  const inFlight = (current.service.deployments ?? []).filter((d) => d.status !== "PRIMARY");
  if (inFlight.length > 0) {
    warnings.push(
      `another deployment of ${current.service.serviceName} is still in progress (${inFlight.map((d) => d.id).join(", ")}); this rollout replaces it, and a rollback returns to ${current.taskDefinition.taskDefinitionArn ?? "the PRIMARY definition"}`,
    );
  }

  const loadBalancers = current.service.loadBalancers ?? [];
  if (loadBalancers.length > 0 && current.taskDefinition.networkMode !== "awsvpc") {
    problems.push(
      `network mode ${quote(current.taskDefinition.networkMode ?? "bridge")} is not supported: shipline matches each task to its load balancer targets by the task's own IP and port, which needs networkMode "awsvpc" (Fargate, or EC2 with awsvpc) and target type "ip"`,
    );
  }
  for (const lb of loadBalancers) {
    if (!lb.targetGroupArn) {
      problems.push(
        `the service's load balancer ${quote(lb.loadBalancerName)} is a Classic Load Balancer: not supported, shipline gates on ALB/NLB target groups`,
      );
      continue;
    }
    const group = current.targetGroups.find((tg) => tg.TargetGroupArn === lb.targetGroupArn);
    if (!group) {
      problems.push(`target group ${lb.targetGroupArn} of the service does not exist`);
      continue;
    }
    const groupName = group.TargetGroupName ?? lb.targetGroupArn;
    if (group.TargetType !== "ip") {
      problems.push(
        `target group ${groupName} has target type ${quote(group.TargetType)}: not supported, shipline needs target type "ip" (awsvpc tasks register by IP)`,
      );
    }
    if ((group.LoadBalancerArns ?? []).length === 0) {
      problems.push(
        `target group ${groupName} is not used by any load balancer listener or rule: its targets stay "unused" (Target.NotInUse) and never become healthy; attach it to the listener, or point the service at the target group the listener forwards to`,
      );
    }
    const container = containers.find((c) => c.name === lb.containerName);
    const containerPorts = portsOf(container ? [container] : []);
    if (!container) {
      problems.push(
        `the service sends target group ${groupName} to container ${quote(lb.containerName)}, which is not in the task definition (${known})`,
      );
    } else if (lb.containerPort === undefined || !containerPorts.includes(lb.containerPort)) {
      problems.push(
        `the service sends target group ${groupName} to port ${lb.containerPort} of container ${quote(lb.containerName)}, which maps only ${containerPorts.join(", ") || "no ports"}`,
      );
    } else if (group.Port !== undefined && group.Port !== lb.containerPort) {
      warnings.push(
        `target group ${groupName} is declared on port ${group.Port}; ECS registers container port ${lb.containerPort}, which is what counts`,
      );
    }
    const healthPort = group.HealthCheckPort;
    if (healthPort && healthPort !== "traffic-port") {
      const allPorts = portsOf(containers);
      if (!allPorts.includes(Number(healthPort))) {
        problems.push(
          `target group ${groupName} health-checks port ${healthPort}, but the task's containers map only ${allPorts.join(", ") || "no ports"}: every health check would fail; use "traffic-port" or a mapped port`,
        );
      }
    }
  }
  if (inputs.migration && !inputs.migration.container && containers.length > 1) {
    const first = inputs.images[0]?.container;
    if (!first) {
      problems.push(
        `migration-command needs migration-container: the task definition has several containers (${names.join(", ")})`,
      );
    }
  }
  return { problems, warnings };
}

/** The container that runs the migration: the named one, the first new image's, or the only one. */
export function migrationContainer(
  current: CurrentService,
  inputs: Pick<DeployServiceInputs, "images" | "migration">,
): string {
  return (
    inputs.migration?.container ??
    inputs.images[0]?.container ??
    current.taskDefinition.containerDefinitions?.[0]?.name ??
    ""
  );
}
