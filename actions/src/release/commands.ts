import { trackRelease } from "../github/track";
import { whileCancellable } from "../lib/cancel";
import type { RawInputs } from "../lib/inputs";
import { deploy, type ReleaseDeps } from "./deploy";
import { checkImageCommands } from "./image-commands";
import type { DeployInputs, RollbackInputs } from "./inputs";
import { planRelease } from "./plan";
import { reportReleasePlan, reportRollbackPlan } from "./plan-report";
import type { ReleaseRecord } from "./record";
import { reportRelease } from "./report";
import { planRollback, rollback } from "./rollback";
import { assignContainers } from "./service-containers";
import { releaseTaskDefinitionDiff } from "./task-definition-diff";

/**
 * deploy as the CLI and the action run it: plan (every input checked, nothing changed), then
 * print the plan on a dry run or carry it out — tracked as a GitHub deployment, with SIGINT /
 * SIGTERM stopping it at its next safe point — and report it. Undefined on a dry run.
 */
export async function runDeploy(
  inputs: DeployInputs,
  builds: Record<string, RawInputs>,
  deps: ReleaseDeps,
): Promise<ReleaseRecord | undefined> {
  const plan = await planRelease(inputs, builds, deps.env, deps.clock.now());
  if (inputs["dry-run"]) {
    // A dry run sends no request: only images whose command is known locally are checked.
    await checkImageCommands(plan.images, deps, { readRegistries: false });
    // Only a task definition file makes the dry run read (the live task definition).
    const diff =
      plan.service.taskDefinitionFile && plan.services[0]?.shorthand
        ? await releaseTaskDefinitionDiff(plan, deps.service)
        : undefined;
    // Several services: which runs which container, from their task definitions (reads only).
    const containers = plan.services.every((service) => service.shorthand)
      ? undefined
      : await assignContainers(plan, deps.service);
    await reportReleasePlan(plan, deps.logger, diff, containers);
    return undefined;
  }
  // Before the lock and the GitHub deployment: an image with no command is a bad input (exit 4).
  await checkImageCommands(plan.images, deps, { readRegistries: true });
  const record = await trackRelease("deploy", inputs, deps.env, deps.logger, () =>
    whileCancellable(deps.logger, (signal) => deploy(plan, { ...deps, signal })),
  );
  await reportRelease("deploy", record, inputs.environment, deps.logger);
  return record;
}

/** rollback as the CLI and the action run it; see runDeploy. */
export async function runRollback(
  inputs: RollbackInputs,
  deps: ReleaseDeps,
): Promise<ReleaseRecord | undefined> {
  const plan = await planRollback(inputs, deps, deps.clock.now());
  if (inputs["dry-run"]) {
    await reportRollbackPlan(plan, deps.logger);
    return undefined;
  }
  const record = await trackRelease("rollback", inputs, deps.env, deps.logger, () =>
    whileCancellable(deps.logger, (signal) => rollback(plan, { ...deps, signal })),
  );
  await reportRelease("rollback", record, inputs.environment, deps.logger);
  return record;
}
