import { ConfigurationError, quote } from "../lib/errors";
import { returnIfCancelled } from "../service/update";
import type { ReleaseDeps } from "./deploy";
import type { RollbackInputs } from "./inputs";
import { Ledger } from "./ledger";
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
  const target = await chooseTarget(ledger, inputs);
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
      ...(deps.signal ? { signal: deps.signal } : {}),
    },
    async (release) => {
      await release.record({
        restores: target.id,
        images: target.images,
        ...(target.web ? { web: target.web } : {}),
      });
      const taskDefinitionArn = target.taskDefinitionArn as string;
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

/** `previous`, `release` + a named one, or a release id; only a release that was live qualifies. */
async function chooseTarget(ledger: Ledger, inputs: RollbackInputs): Promise<ReleaseRecord> {
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
  if (record.status !== "live" || !record.taskDefinitionArn) {
    throw new ConfigurationError(
      `release ${quote(id)} never went live (status ${record.status}): roll back to a release that did`,
    );
  }
  if (live?.value.releaseId === id) {
    throw new ConfigurationError(`release ${quote(id)} is the live release already`);
  }
  return record;
}
