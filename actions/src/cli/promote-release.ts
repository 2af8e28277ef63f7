import type { Command } from "commander";
import type { Logger } from "../lib/logger";
import { PROMOTE_RELEASE } from "../promote/declaration";
import { addFlags, type FlagSpec, flagsOf, flagsToRawInputs } from "./options";

const PROMOTE_RELEASE_FLAGS: FlagSpec[] = flagsOf(PROMOTE_RELEASE);

export function promoteReleaseCommand(
  program: Command,
  logger: () => Logger,
  env: NodeJS.ProcessEnv,
): void {
  const command = program
    .command("promote-release")
    .description(
      "ship a release that went live in one environment to another: same image digests, same web files, no build",
    );
  addFlags(command, PROMOTE_RELEASE_FLAGS).action(async (options: Record<string, unknown>) => {
    const [{ parsePromoteReleaseInputs }, { DEFAULT_CONFIG_FILE }] = await Promise.all([
      import("../promote/inputs"),
      import("../config/file-name"),
    ]);
    const inputs = parsePromoteReleaseInputs(flagsToRawInputs(options, PROMOTE_RELEASE_FLAGS), env);
    const [{ promotionSides, runPromoteRelease }, { releaseDeps }, { createS3Client }, { access }] =
      await Promise.all([
        import("../promote/promote-release"),
        import("../release/clients"),
        import("../web/clients"),
        import("node:fs/promises"),
      ]);
    const named = inputs.config ?? env.SHIPLINE_CONFIG?.trim();
    const file =
      named ||
      (await access(DEFAULT_CONFIG_FILE).then(
        () => DEFAULT_CONFIG_FILE,
        () => undefined,
      ));
    const sides = await promotionSides(inputs, file);
    const deps = releaseDeps(sides.targetRegion, logger(), env);
    const sourceS3 =
      sides.sourceRegion === sides.targetRegion
        ? deps.s3
        : createS3Client(
            { ...(sides.sourceRegion ? { region: sides.sourceRegion } : {}), concurrency: 8 },
            env,
          );
    await runPromoteRelease(inputs, sides, { ...deps, sourceS3 });
  });
}
