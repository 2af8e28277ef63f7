import type { Command } from "commander";
import { BUILD_IMAGE } from "../images/build-image-declaration";
import { ciDefaults, mergeRawInputs } from "../lib/ci-context";
import type { Logger } from "../lib/logger";
import { addFlags, type FlagSpec, flagsOf, flagsToRawInputs } from "./options";

export const BUILD_IMAGE_FLAGS: FlagSpec[] = flagsOf(BUILD_IMAGE);

export function buildImageCommand(
  program: Command,
  logger: () => Logger,
  env: NodeJS.ProcessEnv,
): void {
  const command = program
    .command("build-image")
    .description("build an image (one reproducible layer on a pinned base) and push it");
  addFlags(command, BUILD_IMAGE_FLAGS).action(async (options: Record<string, unknown>) => {
    const raw = mergeRawInputs(
      ciDefaults(env),
      flagsToRawInputs(options, BUILD_IMAGE_FLAGS),
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
