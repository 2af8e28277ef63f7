import { ConfigurationError, quote } from "../lib/errors";
import type { RawInputs } from "../lib/inputs";
import type { ContainerConfig, EnvironmentConfig, ShiplineConfig } from "./schema";

/**
 * One environment of the configuration file as raw inputs, keyed like the flags and action
 * inputs of deploy and rollback. It is the lowest layer: CI defaults and flags given on the
 * command line (or inputs in a workflow) win over it (see mergeRawInputs).
 */
export function environmentInputs(
  config: ShiplineConfig,
  environment: string,
  file: string,
): RawInputs {
  const settings = config.environments[environment];
  if (!settings) {
    const known = Object.keys(config.environments).map((name) => quote(name));
    throw new ConfigurationError(
      `${file}: environments.${environment}: no such environment (the file has ${known.join(", ")})`,
    );
  }
  const text = (value: string | number | undefined) =>
    value === undefined ? undefined : String(value);
  return {
    environment,
    region: settings.region ?? config.region,
    "ledger-prefix": config["ledger-prefix"],
    cluster: settings.cluster,
    service: settings.service,
    // KEY=SERVICE [cluster=NAME] [task-definition=PATH] lines, the format of the --services flag.
    services: settings.services
      ? Object.entries(settings.services)
          .map(([key, spec]) =>
            [
              `${key}=${spec.service}`,
              ...(spec.cluster ? [`cluster=${spec.cluster}`] : []),
              ...(spec["task-definition"] ? [`task-definition=${spec["task-definition"]}`] : []),
              ...serviceDeliveryOptions(spec.strategy, spec.alarms),
            ].join(" "),
          )
          .join("\n")
      : undefined,
    // NAME=REPOSITORY lines, the same format as the --container flag.
    containers: Object.entries(settings.containers)
      .map(([name, container]) => `${name}=${container.repository}`)
      .join("\n"),
    bucket: settings.bucket,
    "distribution-id": settings.distributions.join("\n"),
    url: settings.url,
    ...webInputs(settings.web),
    "preview-domain": settings.preview?.domain,
    ...(settings.preview
      ? {
          api: String(settings.preview.api),
          // container:NAME=value lines, the format of the preview's api-environment input.
          "api-environment": Object.entries(settings.preview.environment ?? {})
            .flatMap(([container, variables]) =>
              Object.entries(variables).map(([name, value]) => `${container}:${name}=${value}`),
            )
            .join("\n"),
        }
      : {}),
    "gate-timeout": text(settings.gate.timeout),
    "gate-interval": text(settings.gate.interval),
    "healthy-polls": text(settings.gate["healthy-polls"]),
    "grace-period": text(settings.gate["grace-period"]),
    "keep-revisions": text(settings["keep-revisions"]),
    "keep-releases": text(settings["keep-releases"]),
    "lock-ttl": text(settings["lock-ttl"]),
    "release-env": settings["release-env"].join("\n"),
    "task-definition": settings["task-definition"],
    ...strategyInputs(settings.strategy),
    alarms: settings.alarms?.join("\n"),
    analysis: settings.analysis
      ? Object.entries(settings.analysis)
          .map(([key, value]) => `${key}=${value}`)
          .join("\n")
      : undefined,
  };
}

/** The strategy block as the inputs strategy ("canary 10% 5m"), bake-time and the routing. */
function strategyInputs(strategy: EnvironmentConfig["strategy"]): RawInputs {
  if (strategy === undefined) return {};
  const seconds = (value: string | number | undefined) =>
    value === undefined ? undefined : typeof value === "number" ? `${value}s` : value;
  const parts = [
    strategy.type,
    ...(strategy.percent !== undefined ? [`${strategy.percent}%`] : []),
    ...(strategy["step-bake-time"] !== undefined ? [seconds(strategy["step-bake-time"])] : []),
  ];
  return {
    strategy: parts.join(" "),
    "bake-time": seconds(strategy["bake-time"]),
    "alternate-target-group": strategy["alternate-target-group"],
    "production-listener-rule": strategy["production-listener-rule"],
    "test-listener-rule": strategy["test-listener-rule"],
    "load-balancer-role": strategy.role,
  };
}

/** The site's settings as publish inputs: a folder alone, or the folder and its rules. */
function webInputs(web: EnvironmentConfig["web"]): RawInputs {
  if (web === undefined) return {};
  if (typeof web === "string") return { source: web };
  return {
    source: web.source,
    immutable: web.immutable?.join("\n"),
    "cache-control": lines(web["cache-control"]),
    "content-type": lines(web["content-type"]),
    "web-mode": web.mode,
    "key-value-store": web["key-value-store"],
    "edge-function": web["edge-function"],
  };
}

/** KEY: value pairs as the KEY=VALUE lines the inputs take. */
function lines(pairs: Record<string, string> | undefined): string | undefined {
  if (pairs === undefined) return undefined;
  return Object.entries(pairs)
    .map(([key, value]) => `${key}=${value}`)
    .join("\n");
}

/** A command as build-image takes it: exec form as JSON, words as they are. */
function commandInput(command: string | string[] | undefined): string | undefined {
  if (command === undefined) return undefined;
  return typeof command === "string" ? command : JSON.stringify(command);
}

/**
 * One container's image as build-image raw inputs: everything the file says about how it is
 * built (builder, folder or Dockerfile, base, command, ports, …), nothing assumed.
 */
export function containerBuildInputs(container: ContainerConfig): RawInputs {
  return {
    repository: container.repository,
    builder: container.builder,
    context: container.context,
    dockerfile: container.dockerfile,
    target: container.target,
    "build-args": lines(container["build-args"]),
    "base-image": container["base-image"],
    destination: container.destination,
    cmd: commandInput(container.cmd),
    entrypoint: commandInput(container.entrypoint),
    workdir: container.workdir,
    user: container.user,
    ports: container.ports?.map(String).join("\n"),
    env: lines(container.env),
    labels: lines(container.labels),
    layers: container.layers?.join("\n"),
  };
}

/**
 * How each container's image is built, as build-image raw inputs (undefined keys are not
 * given). Deploy layers CI defaults, the region and its own tags over these.
 */
export function containerBuilds(
  config: ShiplineConfig,
  environment: string,
): Record<string, RawInputs> {
  const settings = config.environments[environment];
  const region = settings?.region ?? config.region;
  return Object.fromEntries(
    Object.entries(settings?.containers ?? {}).map(([name, container]) => [
      name,
      { ...containerBuildInputs(container), ...(region ? { region } : {}) },
    ]),
  );
}

/** A service's strategy and alarms as the option words of its services line. */
function serviceDeliveryOptions(
  strategy: EnvironmentConfig["strategy"],
  alarms: string[] | undefined,
): string[] {
  const given = Object.entries(strategyInputs(strategy)).flatMap(([name, value]) =>
    value === undefined ? [] : [`${name}=${value.replaceAll(" ", ":")}`],
  );
  return [...given, ...(alarms && alarms.length > 0 ? [`alarms=${alarms.join(",")}`] : [])];
}
