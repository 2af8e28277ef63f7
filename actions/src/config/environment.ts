import { ConfigurationError, quote } from "../lib/errors";
import type { RawInputs } from "../lib/inputs";
import type { ShiplineConfig } from "./schema";

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
    // NAME=REPOSITORY lines, the same format as the --container flag.
    containers: Object.entries(settings.containers)
      .map(([name, container]) => `${name}=${container.repository}`)
      .join("\n"),
    bucket: settings.bucket,
    "distribution-id": settings.distributions.join("\n"),
    url: settings.url,
    source: typeof settings.web === "string" ? settings.web : settings.web?.source,
    ...(typeof settings.web === "object"
      ? {
          "web-mode": settings.web.mode,
          "key-value-store": settings.web["key-value-store"],
          "edge-function": settings.web["edge-function"],
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
  };
}

/**
 * How each container's image is built, as build-image raw inputs (preset, context, base image,
 * repository). Deploy layers CI defaults and its own tags over these.
 */
export function containerBuilds(
  config: ShiplineConfig,
  environment: string,
): Record<string, RawInputs & { preset?: string }> {
  const settings = config.environments[environment];
  return Object.fromEntries(
    Object.entries(settings?.containers ?? {}).map(([name, container]) => [
      name,
      {
        repository: container.repository,
        ...(container.preset ? { preset: container.preset } : {}),
        ...(container.context ? { context: container.context } : {}),
        ...(container["base-image"] ? { "base-image": container["base-image"] } : {}),
        ...(settings?.region || config.region ? { region: settings?.region ?? config.region } : {}),
      },
    ]),
  );
}
