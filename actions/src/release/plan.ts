import { type BuildImageInputs, parseBuildImageInputs, parseCommand } from "../images/inputs";
import { ciDefaults, mergeRawInputs } from "../lib/ci-context";
import { ConfigurationError, quote } from "../lib/errors";
import type { RawInputs } from "../lib/inputs";
import { checkContainerName } from "../lib/names";
import {
  type DeployServiceInputs,
  type ImageChange,
  parseEnvironmentOverrides,
  parseImageChange,
} from "../service/inputs";
import { type Delivery, deliveryOf } from "../strategy/inputs";
import { parseBakeMinutes, parseStrategy } from "../strategy/spec";
import { loadTaskDefinitionFile } from "../taskdef/load";
import type { TaskDefinitionFile } from "../taskdef/model";
import { checkFileContainers } from "../taskdef/render";
import { type PublishWebInputs, parsePublishWebInputs } from "../web/inputs";
import { type CheckedSite, checkSiteFolder } from "../web/site-folder";
import type { DeployInputs } from "./inputs";
import {
  type ReleaseImage,
  type ReleaseRecord,
  type RunContext,
  releaseIdOf,
  runContext,
  type TRIGGERS,
} from "./record";
import type { ServiceTarget } from "./restore-service";
import { type ReleaseService, releaseServices } from "./services";

/**
 * One container's image in a release: built from the configuration, given by digest, or (a
 * promotion) another environment's image copied by digest into this environment's repository.
 */
export type PlannedImage =
  | { container: string; source: "given"; change: ImageChange }
  | { container: string; source: "build"; inputs: BuildImageInputs }
  | { container: string; source: "copy"; from: ReleaseImage; repository: string };

/** Where a release's lock and records live, and how long a dead run's lock holds. */
export interface LedgerPlan {
  bucket: string;
  ledgerPrefix: string;
  environment: string;
  lockTtlMs: number;
}

/**
 * Everything a deploy does, checked before anything changes: each step's inputs as the typed
 * values its unit takes, and the web folder as it will be uploaded. Printed by --dry-run.
 */
export interface ReleasePlan {
  releaseId: string;
  context: RunContext;
  trigger: (typeof TRIGGERS)[number];
  ledger: LedgerPlan;
  images: PlannedImage[];
  /** deploy-service's inputs but the images, which are known once they are built. */
  service: Omit<DeployServiceInputs, "images">;
  /** Where a web failure before its commit point returns the service to. */
  restore: ServiceTarget;
  /**
   * Every service the release rolls, in the order given; one (service and restore above) for
   * the one-service shorthand. Several are all updated, gated together, and undone together.
   */
  services: PlannedService[];
  web: { inputs: PublishWebInputs; site: CheckedSite };
  /** A promotion: the release of another environment this one ships. */
  promotedFrom?: ReleaseRecord["promotedFrom"];
}

/** One service of a release: deploy-service's inputs but the images, and where it returns to. */
export interface PlannedService {
  key: string;
  /** Given as `service` alone: recorded as a release of one service always was. */
  shorthand: boolean;
  inputs: Omit<DeployServiceInputs, "images">;
  restore: ServiceTarget;
  /** The containers of its task definition file: known without reading the live service. */
  fileContainers?: string[];
}

/**
 * Plans a deploy from its inputs and the configuration's image builds: pure but for reading the
 * local web folder and build contexts' settings. Every problem it finds is a ConfigurationError,
 * raised before the lock is taken, so a bad input never leaves a record or a change behind.
 */
export async function planRelease(
  inputs: DeployInputs,
  builds: Record<string, RawInputs>,
  env: NodeJS.ProcessEnv,
  now: number,
): Promise<ReleasePlan> {
  const context = runContext(env, now);
  const releaseId = releaseIdOf(context, inputs["release-id"]);
  const images = planImages(inputs, builds, env, context, releaseId);
  const specs = releaseServices(inputs);
  const taskDefinitionFile = specs[0]?.shorthand
    ? await planTaskDefinitionFile(inputs, images)
    : undefined;
  const web = parsePublishWebInputs({
    source: inputs.source,
    bucket: inputs.bucket,
    "release-id": releaseId,
    "ledger-prefix": inputs["ledger-prefix"],
    "web-mode": inputs["web-mode"],
    ...(inputs["key-value-store"] ? { "key-value-store": inputs["key-value-store"] } : {}),
    ...(inputs["edge-function"] ? { "edge-function": inputs["edge-function"] } : {}),
    immutable: inputs.immutable.join("\n"),
    "cache-control": Object.entries(inputs["cache-control"])
      .map(([pattern, value]) => `${pattern}=${value}`)
      .join("\n"),
    "content-type": Object.entries(inputs["content-type"])
      .map(([pattern, value]) => `${pattern}=${value}`)
      .join("\n"),
    ...(inputs.url ? { url: inputs.url } : {}),
    ...(inputs.region ? { region: inputs.region } : {}),
  });
  const webInputs: PublishWebInputs = {
    ...web,
    "distribution-id": inputs["distribution-id"],
    "keep-releases": inputs["keep-releases"],
    wait: inputs["wait-invalidation"],
    // The same bound as the rollout's gate (and as rollback's invalidation wait).
    "wait-timeout": inputs["gate-timeout"],
  };
  const gate = {
    pollIntervalMs: inputs["gate-interval"],
    healthyPolls: inputs["healthy-polls"],
    timeoutMs: inputs["gate-timeout"],
    ...(inputs["grace-period"] !== undefined ? { graceMs: inputs["grace-period"] } : {}),
  };
  const command = inputs["migration-command"];
  const delivery = deliveryOf(inputs);
  if (delivery.strategy.name !== "rolling" && !specs[0]?.shorthand) {
    throw new ConfigurationError(
      `input "strategy": ${delivery.strategy.name} applies to the one-service shorthand (service); with services, give each service its own (strategy=… on its line, strategy: under it in the configuration file)`,
    );
  }
  const serviceInputs = (spec: ReleaseService, file: TaskDefinitionFile | undefined) => ({
    delivery: spec.delivery ? serviceDelivery(spec.key, spec.delivery, inputs.analysis) : delivery,
    cluster: spec.cluster,
    service: spec.service,
    environment: environmentOverrides(inputs, releaseId),
    ...(command ? { migration: { command: parseCommand(command), timeoutMs: 10 * 60_000 } } : {}),
    gate,
    rollback: true,
    waitForRollback: true,
    rollbackTimeoutMs: inputs["gate-timeout"],
    keepRevisions: inputs["keep-revisions"],
    commit: context.commit,
    tags: { "shipline:release": releaseId },
    ...(inputs.region ? { region: inputs.region } : {}),
    dryRun: false,
    ...(file ? { taskDefinitionFile: file } : {}),
  });
  const services: PlannedService[] = specs[0]?.shorthand
    ? specs.map((spec) => ({
        key: spec.key,
        shorthand: true,
        inputs: serviceInputs(spec, taskDefinitionFile),
        restore: { cluster: spec.cluster, service: spec.service, gate },
      }))
    : await planServiceFiles(specs, images, command, (spec, file) => ({
        key: spec.key,
        shorthand: false,
        inputs: serviceInputs(spec, file),
        restore: { cluster: spec.cluster, service: spec.service, gate },
        ...(file
          ? { fileContainers: (file.body.containerDefinitions ?? []).map((c) => c.name ?? "") }
          : {}),
      }));
  const first = services[0] as PlannedService;
  return {
    releaseId,
    context,
    trigger: env.GITHUB_EVENT_NAME === "workflow_dispatch" ? "manual" : "push",
    ledger: {
      bucket: inputs.bucket,
      ledgerPrefix: inputs["ledger-prefix"],
      environment: inputs.environment,
      lockTtlMs: inputs["lock-ttl"],
    },
    images,
    service: first.inputs,
    restore: first.restore,
    services,
    web: { inputs: webInputs, site: await checkSiteFolder(webInputs) },
  };
}

/** Each container's image: given by digest, or built, its build inputs checked now. */
export function planImages(
  inputs: Pick<DeployInputs, "images" | "containers" | "region">,
  builds: Record<string, RawInputs>,
  env: NodeJS.ProcessEnv,
  context: RunContext,
  releaseId: string,
): PlannedImage[] {
  const given = new Map<string, ImageChange>();
  for (const entry of inputs.images) {
    const change = parseImageChange(entry);
    checkContainerName(change.container, 'input "images"');
    if (given.has(change.container)) {
      throw new ConfigurationError(
        `input "images" names container ${quote(change.container)} twice`,
      );
    }
    given.set(change.container, change);
  }
  const containers = [...new Set([...Object.keys(inputs.containers), ...given.keys()])];
  if (containers.length === 0) {
    throw new ConfigurationError(
      'nothing to deploy: give "containers" (NAME=REPOSITORY, usually from the configuration file) or "images" (container=image@sha256:…)',
    );
  }
  const problems: string[] = [];
  const planned = containers.flatMap((container): PlannedImage[] => {
    const change = given.get(container);
    if (change) return [{ container, source: "given", change }];
    const rest = builds[container] ?? {};
    try {
      const buildInputs = parseBuildImageInputs(
        mergeRawInputs(ciDefaults(env), rest, {
          repository: inputs.containers[container] ?? rest.repository,
          // Tagged with the commit (the CI default); a run without one, with its release.
          ...(/^[0-9a-f]{7,40}$/.test(context.commit)
            ? { revision: context.commit }
            : { tags: releaseId }),
          region: inputs.region,
        }),
      );
      return [{ container, source: "build", inputs: buildInputs }];
    } catch (error) {
      if (!(error instanceof ConfigurationError)) throw error;
      problems.push(`container ${quote(container)}: ${error.message}`);
      return [];
    }
  });
  if (problems.length > 0) throw new ConfigurationError(problems.join("\n"));
  return planned;
}

/** release-env (container:NAME set to the release id) and container-env (container:NAME=value). */
export function environmentOverrides(
  inputs: Pick<DeployInputs, "container-env" | "release-env">,
  releaseId: string,
): Record<string, Record<string, string>> {
  const lines: Record<string, string> = { ...inputs["container-env"] };
  for (const variable of inputs["release-env"]) lines[variable] = releaseId;
  const overrides = parseEnvironmentOverrides(lines);
  for (const container of Object.keys(overrides)) {
    checkContainerName(container, 'input "release-env" or "container-env"');
  }
  return overrides;
}

/** The environment's task definition file, read and checked against the release's images. */
export async function planTaskDefinitionFile(
  inputs: Pick<DeployInputs, "task-definition">,
  images: PlannedImage[],
): Promise<TaskDefinitionFile | undefined> {
  const path = inputs["task-definition"];
  if (!path) return undefined;
  const file = await loadTaskDefinitionFile(path);
  const problems = checkFileContainers(
    file,
    images.map((image) => image.container),
  );
  if (problems.length > 0) throw new ConfigurationError(problems.join("\n"));
  return file;
}

/**
 * Several services: each task definition file read and checked against the images of the
 * containers it has. A container no file has is left to the live task definitions of the
 * services without a file (read before the lock, see service-containers.ts); with none, it is
 * used by no service, which is a bad input now.
 */
async function planServiceFiles(
  specs: ReleaseService[],
  images: PlannedImage[],
  command: string | undefined,
  planned: (spec: ReleaseService, file: TaskDefinitionFile | undefined) => PlannedService,
): Promise<PlannedService[]> {
  if (command) {
    throw new ConfigurationError(
      'input "migration-command" runs with one service\'s task definition: it is not supported with "services"',
    );
  }
  const problems: string[] = [];
  const services = await Promise.all(
    specs.map(async (spec) => {
      if (!spec.taskDefinition) return planned(spec, undefined);
      const file = await loadTaskDefinitionFile(spec.taskDefinition);
      const names = (file.body.containerDefinitions ?? []).map((c) => c.name ?? "");
      const own = images.map((image) => image.container).filter((name) => names.includes(name));
      problems.push(
        ...checkFileContainers(file, own).map(
          (problem) => `service ${quote(spec.key)}: ${problem}`,
        ),
      );
      return planned(spec, file);
    }),
  );
  if (services.every((service) => service.fileContainers)) {
    const used = new Set(services.flatMap((service) => service.fileContainers ?? []));
    for (const image of images) {
      if (!used.has(image.container)) {
        problems.push(
          `container ${quote(image.container)} is in no service's task definition (services ${services.map((s) => quote(s.key)).join(", ")})`,
        );
      }
    }
  }
  if (problems.length > 0) throw new ConfigurationError(problems.join("\n"));
  return services;
}

/**
 * A service's own delivery settings from its services line (the analysis thresholds are the
 * environment's). Problems name the service and the input.
 */
function serviceDelivery(
  key: string,
  options: Record<string, string>,
  analysis: Record<string, string>,
): Delivery {
  try {
    const bake = options["bake-time"];
    return deliveryOf({
      strategy: parseStrategy(options.strategy ?? "rolling"),
      "bake-time": bake === undefined ? undefined : parseBakeMinutes(bake),
      "alternate-target-group": options["alternate-target-group"],
      "production-listener-rule": options["production-listener-rule"],
      "test-listener-rule": options["test-listener-rule"],
      "load-balancer-role": options["load-balancer-role"],
      alarms: (options.alarms ?? "").split(",").filter(Boolean),
      analysis,
    });
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    throw new ConfigurationError(
      error.message
        .split("\n")
        .map((line) => `input "services": service ${quote(key)}: ${line}`)
        .join("\n"),
    );
  }
}
