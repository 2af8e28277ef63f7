import type { Command } from "commander";
import { ciDefaults, mergeRawInputs } from "../lib/ci-context";
import type { Logger } from "../lib/logger";
import { previewCiDefaults, previewRun } from "../preview/ci-defaults";
import { PREVIEW } from "../preview/declaration";
import { addFlags, type FlagSpec, flagsOf, flagsToRawInputs } from "./options";

export const PREVIEW_FLAGS: FlagSpec[] = flagsOf(PREVIEW);

export function previewCommand(
  program: Command,
  logger: () => Logger,
  env: NodeJS.ProcessEnv,
): void {
  const command = program
    .command("preview")
    .description(
      "pull request previews at pr-<n>.<preview domain> (web-mode atomic) or under previews/pr-<n>/: publish, destroy, sweep closed ones, or print the build's base-path",
    )
    .argument("<command>", "publish, destroy, sweep or base-path");
  addFlags(command, PREVIEW_FLAGS).action(
    async (name: string, options: Record<string, unknown>) => {
      // Each command loads its schema when it runs, and the SDK only after the inputs validate.
      const [{ parsePreviewInputs }, { previewEnvironmentInputs }] = await Promise.all([
        import("../preview/inputs"),
        import("../preview/config-inputs"),
      ]);
      const inputs = parsePreviewInputs(
        mergeRawInputs(
          await previewEnvironmentInputs(env),
          ciDefaults(env),
          previewCiDefaults(env),
          flagsToRawInputs(options, PREVIEW_FLAGS),
          {
            command: name,
          },
        ),
        previewRun(env),
      );
      const { runPreviewWithClients } = await import("../preview/run-with-clients");
      await runPreviewWithClients(inputs, env, logger());
    },
  );
}
