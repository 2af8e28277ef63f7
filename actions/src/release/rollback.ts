import { ConfigurationError, quote } from "../lib/errors";
import { describeAfterCommit } from "../web/publish-phase";
import type { ReleaseDeps } from "./deploy";
import type { RollbackInputs } from "./inputs";
import { Ledger } from "./ledger";
import type { LedgerPlan } from "./plan";
import { type ReleaseRecord, type RunContext, releaseIdOf, runContext } from "./record";
import { restoreService, type ServiceTarget } from "./restore-service";
import { withReleaseSession } from "./session";
import { restoreWebRelease, type WebRestoreSettings } from "./web-rollback";

/** Everything a rollback does, checked before anything changes. Printed by --dry-run. */
export interface RollbackPlan {
  releaseId: string;
  context: RunContext;
  ledger: LedgerPlan;
  /** The live release it returns to (read from the ledger). */
  target: ReleaseRecord & { taskDefinitionArn: string };
  /** The release live now, which it replaces. */
  liveReleaseId: string | undefined;
  service: ServiceTarget;
  web: WebRestoreSettings;
}

/**
 * Plans a rollback: the inputs as typed values and the release to return to, read from the
 * ledger (reads only). Every problem is a ConfigurationError, raised before the lock is taken.
 */
export async function planRollback(
  inputs: RollbackInputs,
  deps: Pick<ReleaseDeps, "s3" | "env">,
  now: number,
): Promise<RollbackPlan> {
  const context = runContext(deps.env, now);
  const ledger = new Ledger(deps.s3, inputs.bucket, inputs["ledger-prefix"], inputs.environment);
  const { target, liveReleaseId } = await chooseTarget(ledger, inputs);
  return {
    releaseId: releaseIdOf({ ...context, commit: target.commit }, inputs["release-id"]),
    context: { ...context, commit: target.commit },
    ledger: {
      bucket: inputs.bucket,
      ledgerPrefix: inputs["ledger-prefix"],
      environment: inputs.environment,
      lockTtlMs: inputs["lock-ttl"],
    },
    target,
    liveReleaseId,
    service: {
      cluster: inputs.cluster,
      service: inputs.service,
      gate: {
        pollIntervalMs: inputs["gate-interval"],
        healthyPolls: inputs["healthy-polls"],
        timeoutMs: inputs["gate-timeout"],
        ...(inputs["grace-period"] !== undefined ? { graceMs: inputs["grace-period"] } : {}),
      },
    },
    web: {
      site: { bucket: inputs.bucket, prefix: "", ledgerPrefix: inputs["ledger-prefix"] },
      distributionIds: inputs["distribution-id"],
      wait: inputs["wait-invalidation"],
      waitTimeoutMs: inputs["gate-timeout"],
    },
  };
}

/**
 * rollback = the chosen release's task definition (gated, as a deploy is) → its web entry
 * points → invalidate → record, under the environment's lock. Nothing is built or uploaded: the
 * task definition and the images are the release's own, and the site's files are copied inside
 * the bucket from what the release left there.
 */
export async function rollback(plan: RollbackPlan, deps: ReleaseDeps): Promise<ReleaseRecord> {
  const { clock, logger } = deps;
  const { target } = plan;
  logger.info(
    `rolling ${plan.ledger.environment} back to release ${target.id} (${target.createdAt})`,
  );
  return withReleaseSession(
    {
      s3: deps.s3,
      ...plan.ledger,
      releaseId: plan.releaseId,
      context: plan.context,
      trigger: "rollback",
      command: "rollback",
      clock,
      logger,
    },
    async (release) => {
      await release.record({
        restores: target.id,
        images: target.images,
        ...(target.web ? { web: target.web } : {}),
      });
      await release.step("service", async () => {
        const restored = await restoreService(plan.service, target.taskDefinitionArn, {
          clients: deps.service,
          clock,
          logger,
        });
        await release.record({
          taskDefinitionArn: target.taskDefinitionArn,
          previousTaskDefinitionArn: restored.previousTaskDefinitionArn,
        });
      });
      if (target.web) {
        const web = target.web;
        await release.step("web", async () => {
          const restored = await restoreWebRelease(
            deps.s3,
            deps.cloudfront,
            plan.web,
            web.releaseId,
            { clock, logger },
          );
          if (restored.afterCommit) {
            await release.record({ warnings: [describeAfterCommit(restored.afterCommit)] });
          }
        });
      }
    },
  );
}

/** `previous`, `release` + a named one, or a release id; only a release that was live qualifies. */
async function chooseTarget(
  ledger: Ledger,
  inputs: RollbackInputs,
): Promise<{ target: RollbackPlan["target"]; liveReleaseId: string | undefined }> {
  const live = await ledger.live();
  let id: string | undefined;
  if (inputs.to === "previous") {
    id = live?.value.previous[0];
    if (!id) {
      throw new ConfigurationError(
        `environment "${inputs.environment}" has no previous live release to return to (see shipline history)`,
      );
    }
  } else if (inputs.to === "release") {
    id = inputs.release;
    if (!id) throw new ConfigurationError('input "release" is required when "to" is release');
  } else {
    id = inputs.to;
  }
  const record = await ledger.read(id);
  if (!record) {
    throw new ConfigurationError(
      `release ${quote(id)} is not in the ledger of environment "${inputs.environment}" (see shipline history)`,
    );
  }
  const taskDefinitionArn = record.taskDefinitionArn;
  if (record.status !== "live" || !taskDefinitionArn) {
    throw new ConfigurationError(
      `release ${quote(id)} never went live (status ${record.status}): roll back to a release that did`,
    );
  }
  if (live?.value.releaseId === id) {
    throw new ConfigurationError(`release ${quote(id)} is the live release already`);
  }
  return { target: { ...record, taskDefinitionArn }, liveReleaseId: live?.value.releaseId };
}
