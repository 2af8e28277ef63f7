import { access } from "node:fs/promises";
import type { RawInputs } from "../lib/inputs";
import { DEFAULT_CONFIG_FILE } from "./file-name";
import type { ShiplineConfig } from "./schema";

/**
 * The preview inputs one environment of the configuration file sets: the `preview` settings,
 * and what a preview's API copies from the environment (cluster, service, containers' repositories,
 * the gate). Never the environment's bucket, distributions or url: those are production's, and a
 * preview names its own.
 */
export function previewInputsOf(config: ShiplineConfig, environment: string): RawInputs {
  const settings = config.environments[environment];
  if (!settings) return {};
  const text = (value: string | number | undefined) =>
    value === undefined ? undefined : String(value);
  const preview = settings.preview;
  return {
    region: settings.region ?? config.region,
    "ledger-prefix": config["ledger-prefix"],
    cluster: settings.cluster,
    service: settings.service,
    containers: Object.entries(settings.containers)
      .map(([name, container]) => `${name}=${container.repository}`)
      .join("\n"),
    "gate-timeout": text(settings.gate.timeout),
    "gate-interval": text(settings.gate.interval),
    "healthy-polls": text(settings.gate["healthy-polls"]),
    "grace-period": text(settings.gate["grace-period"]),
    ...(preview
      ? {
          api: String(preview.api),
          "preview-domain": preview.domain,
          "api-environment": Object.entries(preview.environment ?? {})
            .flatMap(([container, variables]) =>
              Object.entries(variables).map(([name, value]) => `${container}:${name}=${value}`),
            )
            .join("\n"),
        }
      : {}),
  };
}

/**
 * The configuration file's preview inputs, as the lowest layer: the file named by SHIPLINE_CONFIG,
 * else `shipline.yml` when it exists; the environment SHIPLINE_ENVIRONMENT, else production.
 */
export async function previewConfigInputs(env: NodeJS.ProcessEnv): Promise<RawInputs> {
  const named = env.SHIPLINE_CONFIG?.trim();
  const file =
    named ||
    (await access(DEFAULT_CONFIG_FILE).then(
      () => DEFAULT_CONFIG_FILE,
      () => undefined,
    ));
  if (!file) return {};
  const { loadConfig } = await import("./load");
  return previewInputsOf(await loadConfig(file), env.SHIPLINE_ENVIRONMENT?.trim() || "production");
}
