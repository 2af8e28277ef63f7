import { ConfigurationError, quote } from "../lib/errors";
import { SERVICE_KEY, SERVICE_KEY_RULE } from "./service-key";

/** One ECS service a release rolls, under the key that names it in logs and records. */
export interface ReleaseService {
  key: string;
  cluster: string;
  service: string;
  /** Its task definition file, when its task definition is code. */
  taskDefinition?: string;
  /** Given as `service` alone: the release records it as it always has, with no services map. */
  shorthand?: true;
  /** Its own delivery settings (strategy=…, alternate-target-group=…, alarms=a,b …), as given. */
  delivery?: Record<string, string>;
}

/** The delivery settings a services line may give a service, named like the inputs. */
export const SERVICE_DELIVERY_OPTIONS = [
  "strategy",
  "bake-time",
  "alternate-target-group",
  "production-listener-rule",
  "test-listener-rule",
  "load-balancer-role",
  "alarms",
] as const;

/**
 * The `services` input, one service a line: `KEY=SERVICE`, then optionally ` cluster=NAME` and
 * ` task-definition=PATH` (the configuration file's services map, as a flag can give it).
 */
export function parseServiceLines(lines: string[], defaultCluster: string): ReleaseService[] {
  const problems: string[] = [];
  const services = lines.flatMap((line): ReleaseService[] => {
    const [head = "", ...options] = line.trim().split(/\s+/);
    const [key = "", service = ""] = head.split("=", 2);
    if (!SERVICE_KEY.test(key) || service === "") {
      problems.push(
        `input "services": ${quote(line)} is not KEY=SERVICE [cluster=NAME] [task-definition=PATH] (a key is ${SERVICE_KEY_RULE})`,
      );
      return [];
    }
    const spec: ReleaseService = { key, cluster: defaultCluster, service };
    for (const option of options) {
      const [name, value] = option.split("=", 2);
      if (name === "cluster" && value) spec.cluster = value;
      else if (name === "task-definition" && value) spec.taskDefinition = value;
      else if (name && value && (SERVICE_DELIVERY_OPTIONS as readonly string[]).includes(name)) {
        spec.delivery = { ...spec.delivery, [name]: value };
      } else {
        problems.push(
          `input "services": service ${quote(key)}: ${quote(option)} is not cluster=NAME, task-definition=PATH or one of ${SERVICE_DELIVERY_OPTIONS.map((o) => `${o}=…`).join(", ")}`,
        );
      }
    }
    return [spec];
  });
  problems.push(...duplicates(services));
  if (problems.length > 0) throw new ConfigurationError(problems.join("\n"));
  return services;
}

/** Two keys, or two keys naming one ECS service, would roll (and undo) one service twice. */
function duplicates(services: ReleaseService[]): string[] {
  const problems: string[] = [];
  const keys = new Set<string>();
  const ecs = new Map<string, string>();
  for (const spec of services) {
    if (keys.has(spec.key))
      problems.push(`input "services" names service ${quote(spec.key)} twice`);
    keys.add(spec.key);
    const where = `${spec.cluster}/${spec.service}`;
    const other = ecs.get(where);
    if (other !== undefined && other !== spec.key) {
      problems.push(
        `input "services": ${quote(other)} and ${quote(spec.key)} are both ECS service ${quote(where)}`,
      );
    }
    ecs.set(where, spec.key);
  }
  return problems;
}

/**
 * The services of a deploy, rollback or status: `services`, or the one-service shorthand
 * (`service`, with the environment's `task-definition`). Both, or neither, is a bad input.
 */
export function releaseServices(inputs: {
  cluster: string;
  service?: string | undefined;
  services: string[];
  "task-definition"?: string | undefined;
}): ReleaseService[] {
  if (inputs.services.length > 0) {
    if (inputs.service) {
      throw new ConfigurationError(
        'give "service" (one service) or "services" (several), not both',
      );
    }
    if (inputs["task-definition"]) {
      throw new ConfigurationError(
        'input "task-definition" is the one-service shorthand\'s: with "services", give each service its task-definition=PATH',
      );
    }
    return parseServiceLines(inputs.services, inputs.cluster);
  }
  if (!inputs.service) {
    throw new ConfigurationError(
      'input "service" is required (or "services", one KEY=SERVICE line per service)',
    );
  }
  return [
    {
      key: inputs.service,
      cluster: inputs.cluster,
      service: inputs.service,
      shorthand: true,
      ...(inputs["task-definition"] ? { taskDefinition: inputs["task-definition"] } : {}),
    },
  ];
}

/** Given as `services`: the record, reconcile and status name each service by its key. */
export const isServicesMap = (services: ReleaseService[]) => !services[0]?.shorthand;
