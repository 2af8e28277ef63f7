import type { Command } from "commander";
import { DEFAULT_CONFIG_FILE } from "../config/file-name";
import { BUILD_IMAGE } from "../images/build-image-declaration";
import { ciDefaults, mergeRawInputs } from "../lib/ci-context";
import { ConfigurationError, quote } from "../lib/errors";
import type { RawInputs } from "../lib/inputs";
import type { Logger } from "../lib/logger";
import { addFlags, type FlagSpec, flagsOf, flagsToRawInputs } from "./options";

export const BUILD_IMAGE_FLAGS: FlagSpec[] = flagsOf(BUILD_IMAGE);

/** A container's build settings from the configuration file's environment (--container). */
async function configuredContainer(container: string, env: NodeJS.ProcessEnv): Promise<RawInputs> {
  const file = env.SHIPLINE_CONFIG?.trim() || DEFAULT_CONFIG_FILE;
  const environment = env.SHIPLINE_ENVIRONMENT?.trim() || "production";
  const [{ loadConfig }, { containerBuilds }] = await Promise.all([
    import("../config/load"),
    import("../config/environment"),
  ]);
  const builds = containerBuilds(await loadConfig(file), environment);
  const settings = builds[container];
  if (!settings) {
    throw new ConfigurationError(
      `input "container": ${file} has no container ${quote(container)} in environment ${quote(environment)} (it has ${
        Object.keys(builds)
          .map((name) => quote(name))
          .join(", ") || "none"
      })`,
    );
  }
  return settings;
}

export function buildImageCommand(
  program: Command,
  logger: () => Logger,
  env: NodeJS.ProcessEnv,
): void {
  const command = program
    .command("build-image")
    .description("build an image (one reproducible layer on a pinned base) and push it");
  addFlags(command, BUILD_IMAGE_FLAGS).action(async (options: Record<string, unknown>) => {
    const flags = flagsToRawInputs(options, BUILD_IMAGE_FLAGS);
    const raw = mergeRawInputs(
      flags.container ? await configuredContainer(flags.container, env) : {},
      ciDefaults(env),
      flags,
      // Passwords never travel on a command line.
      { "registry-password": env.SHIPLINE_REGISTRY_PASSWORD },
    );
    // Each command loads its schema when it runs, and the SDK only after the inputs validate.
    const inputs = (await import("../images/inputs")).parseBuildImageInputs(raw);
    const [{ ECRClient }, { createClient }, { buildImage }] = await Promise.all([
      import("@aws-sdk/client-ecr"),
      import("../lib/aws"),
      import("../images/build-image"),
    ]);
    await buildImage(inputs, {
      logger: logger(),
      ecr: () =>
        createClient(ECRClient, {
          ...(inputs.region ? { region: inputs.region } : {}),
          readOnly: inputs["dry-run"],
        }),
    });
  });
}
