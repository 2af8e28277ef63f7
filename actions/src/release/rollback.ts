import { ConfigurationError, quote } from "../lib/errors";
import { requireActiveRevision } from "../service/revisions";
import { returnIfCancelled } from "../service/update";
import type { ReleaseDeps } from "./deploy";
import type { RollbackInputs } from "./inputs";
import { Ledger, type LivePointer } from "./ledger";
import { environmentOf, observe } from "./reality";
import { type Reconciliation, reconcile } from "./reconcile";
import { type ReleaseRecord, releaseIdOf, runContext } from "./record";
import { graceOf, restoreService } from "./restore-service";
import { withReleaseSession } from "./session";
import { restoreWebRelease } from "./web-rollback";

/**
 * rollback = the chosen release's task definition (gated, as a deploy is) → its web entry
 * points → invalidate → record, under the environment's lock. Nothing is built or uploaded: the
 * task definition and the images are the release's own, and the site's files are copied inside
 * the bucket from what the release left there.
 */
export async function rollback(inputs: RollbackInputs, deps: ReleaseDeps): Promise<ReleaseRecord> {
  const { clock, logger } = deps;
  const context = runContext(deps.env, clock.now());
  const ledger = new Ledger(deps.s3, inputs.bucket, inputs["ledger-prefix"], inputs.environment);
  const reality = environmentOf(inputs, deps);
  // The target is chosen from the ledger as reality settles it (a run that died may have left
  // another release serving), first without writing anything, so a refusal changes nothing.
  const observed = await observe(ledger, reality);
  const preview = reconcile(observed.state, observed.reality);
  let target = await chooseTarget(ledger, inputs, {
    live: pointerAfter(preview, observed.pointer?.value),
    reconciliation: preview,
  });
  await requireActiveRevision(
    deps.service,
    target.taskDefinitionArn as string,
    `release ${quote(target.id)}`,
  );
  const releaseId = releaseIdOf(
    { ...context, commit: target.commit },
    inputs["release-id"] ?? undefined,
  );
  logger.info(`rolling ${inputs.environment} back to release ${target.id} (${target.createdAt})`);
  return withReleaseSession(
    {
      s3: deps.s3,
      bucket: inputs.bucket,
      ledgerPrefix: inputs["ledger-prefix"],
      environment: inputs.environment,
      releaseId,
      context: { ...context, commit: target.commit },
      trigger: "rollback",
      command: "rollback",
      lockTtlMs: inputs["lock-ttl"],
      clock,
      logger,
      reality,
      // Settled for real once the lock is held: the same choice, unless the world moved since.
      begin: async (settled) => {
        target = await chooseTarget(ledger, inputs, {
          live: settled.pointer?.value,
          ...(settled.reconciliation ? { reconciliation: settled.reconciliation } : {}),
        });
      },
      ...(deps.signal ? { signal: deps.signal } : {}),
    },
    async (release) => {
      const taskDefinitionArn = target.taskDefinitionArn as string;
      // Known before anything moves: a run that dies now is recognised by what it restores.
      await release.record({
        restores: target.id,
        images: target.images,
        taskDefinitionArn,
        ...(target.web ? { web: target.web } : {}),
      });
      const restored = await release.step("service", async () => {
        const result = await restoreService(
          {
            cluster: inputs.cluster,
            service: inputs.service,
            gate: {
              pollIntervalMs: inputs["gate-interval"],
              healthyPolls: inputs["healthy-polls"],
              timeoutMs: inputs["gate-timeout"],
              ...graceOf(inputs["grace-period"]),
            },
          },
          taskDefinitionArn,
          { clients: deps.service, clock, logger, ...(deps.signal ? { signal: deps.signal } : {}) },
          release.liveRelease?.taskDefinitionArn,
        );
        await release.record({
          taskDefinitionArn,
          previousTaskDefinitionArn: result.previousTaskDefinitionArn,
        });
        return result;
      });
      if (target.web) {
        const web = target.web;
        const restoring = release.step("web", () =>
          restoreWebRelease(
            deps.s3,
            deps.cloudfront,
            {
              site: { bucket: inputs.bucket, prefix: "", ledgerPrefix: inputs["ledger-prefix"] },
              distributionIds: inputs["distribution-id"],
              wait: inputs["wait-invalidation"],
              waitTimeoutMs: inputs["gate-timeout"],
            },
            web.releaseId,
            { clock, logger },
          ),
        );
        // Cancelled before the site was restored: the service returns to what was live.
        await restoring.catch((error: unknown) =>
          returnIfCancelled(
            error,
            { clients: deps.service, cluster: inputs.cluster, service: inputs.service },
            restored,
            logger,
          ),
        );
      }
    },
  );
}

/** The live pointer once a reconciliation is applied: moved to what really serves. */
function pointerAfter(
  reconciliation: Reconciliation,
  pointer: LivePointer | undefined,
): Pick<LivePointer, "releaseId" | "previous"> | undefined {
  if (!reconciliation.moveLive || reconciliation.liveId === undefined) return pointer;
  return {
    releaseId: reconciliation.liveId,
    previous: pointer ? [pointer.releaseId, ...pointer.previous] : [],
  };
}

/**
 * `previous`, `release` + a named one, or a release id; only a release that went live
 * qualifies, and not the one that is live — unless what is served is not that release (a run
 * died half-way), when returning to it is exactly the repair.
 */
async function chooseTarget(
  ledger: Ledger,
  inputs: RollbackInputs,
  settled: {
    live: Pick<LivePointer, "releaseId" | "previous"> | undefined;
    reconciliation?: Reconciliation;
  },
): Promise<ReleaseRecord> {
  const { live, reconciliation } = settled;
  let id: string | undefined;
  if (inputs.to === "previous") {
    id = live?.previous[0];
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
  const settledAs = reconciliation?.releases.find((row) => row.id === id)?.settledAs;
  const status = settledAs ?? record.status;
  if (status !== "live" || !record.taskDefinitionArn) {
    throw new ConfigurationError(
      `release ${quote(id)} never went live (status ${status}): roll back to a release that did`,
    );
  }
  if (live?.releaseId === id && (reconciliation?.consistent ?? true)) {
    throw new ConfigurationError(`release ${quote(id)} is the live release already`);
  }
  return record;
}
