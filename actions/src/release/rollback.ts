import { Ledger, type LivePointer } from "../ledger/releases";
import { CancelledError } from "../lib/cancel";
import { ConfigurationError, quote, RollbackFailedError, RolledBackError } from "../lib/errors";
import { requireActiveRevision } from "../service/revisions";
import { returnIfCancelled } from "../service/update";
import { describeAfterCommit } from "../web/publish-phase";
import type { ReleaseDeps } from "./deploy";
import { releaseGuardOf } from "./guard";
import type { RollbackInputs } from "./inputs";
import { keyedLogger } from "./keyed-logger";
import type { LedgerPlan } from "./plan";
import { environmentOf, observe } from "./reality";
import { type Reconciliation, reconcile } from "./reconcile";
import {
  type ReleaseRecord,
  type RunContext,
  releaseIdOf,
  runContext,
  type ServiceFacts,
} from "./record";
import { type RestoreResult, restoreService, type ServiceTarget } from "./restore-service";
import { type MovedService, undoServices } from "./roll-services";
import { isServicesMap, releaseServices } from "./services";
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
  /** The first (or only) service. */
  service: ServiceTarget;
  /** A release of several services: each, by key (absent for the one-service shorthand). */
  services?: (ServiceTarget & { key: string })[];
  web: WebRestoreSettings;
  /** What chose the target, chosen again once the lock is held (the world may have moved). */
  inputs: Pick<RollbackInputs, "to" | "release" | "environment">;
}

/**
 * Plans a rollback: the inputs as typed values and the release to return to, read from the
 * ledger as reality settles it (a run that died may have left another release serving) — reads
 * only. Every problem is a ConfigurationError, raised before the lock is taken.
 */
export async function planRollback(
  inputs: RollbackInputs,
  deps: Pick<ReleaseDeps, "s3" | "env" | "service" | "cloudfront" | "keyValueStore">,
  now: number,
): Promise<RollbackPlan> {
  const context = runContext(deps.env, now);
  const ledger = new Ledger(deps.s3, inputs.bucket, inputs["ledger-prefix"], inputs.environment);
  const observed = await observe(ledger, environmentOf(inputs, deps));
  const preview = reconcile(observed.state, observed.reality);
  const { target, liveReleaseId } = await chooseTarget(ledger, inputs, {
    live: pointerAfter(preview, observed.pointer?.value),
    reconciliation: preview,
  });
  const specs = releaseServices(inputs);
  const gate = {
    pollIntervalMs: inputs["gate-interval"],
    healthyPolls: inputs["healthy-polls"],
    timeoutMs: inputs["gate-timeout"],
    ...(inputs["grace-period"] !== undefined ? { graceMs: inputs["grace-period"] } : {}),
  };
  const services = isServicesMap(specs)
    ? specs.map((spec) => ({ key: spec.key, cluster: spec.cluster, service: spec.service, gate }))
    : undefined;
  // ECS refuses to point a service at a deregistered revision: found now, not half-way.
  for (const [what, arn] of revisionsOf(target, services)) {
    await requireActiveRevision(deps.service, arn, what);
  }
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
    inputs: { to: inputs.to, release: inputs.release, environment: inputs.environment },
    service: {
      cluster: specs[0]?.cluster ?? inputs.cluster,
      service: specs[0]?.service ?? "",
      gate,
    },
    ...(services ? { services } : {}),
    web: {
      site: { bucket: inputs.bucket, prefix: "", ledgerPrefix: inputs["ledger-prefix"] },
      distributionIds: inputs["distribution-id"],
      wait: inputs["wait-invalidation"],
      waitTimeoutMs: inputs["gate-timeout"],
      ...(inputs["web-mode"] === "atomic" && inputs["key-value-store"]
        ? { keyValueStore: inputs["key-value-store"] }
        : {}),
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
  let { target } = plan;
  const ledger = new Ledger(
    deps.s3,
    plan.ledger.bucket,
    plan.ledger.ledgerPrefix,
    plan.ledger.environment,
  );
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
      reality: environmentOf(
        {
          bucket: plan.ledger.bucket,
          "ledger-prefix": plan.ledger.ledgerPrefix,
          cluster: plan.service.cluster,
          services: (plan.services ?? [{ ...plan.service, key: plan.service.service }]).map(
            (service) => ({
              key: service.key,
              shorthand: !plan.services,
              inputs: { cluster: service.cluster, service: service.service },
            }),
          ),
          ...(plan.web.keyValueStore
            ? { "web-mode": "atomic", "key-value-store": plan.web.keyValueStore }
            : {}),
        },
        deps,
      ),
      // Settled for real once the lock is held: the same choice, unless the world moved since.
      begin: async (settled) => {
        ({ target } = await chooseTarget(ledger, plan.inputs, {
          live: settled.pointer?.value,
          ...(settled.reconciliation ? { reconciliation: settled.reconciliation } : {}),
        }));
      },
      ...(deps.signal ? { signal: deps.signal } : {}),
    },
    async (release) => {
      // Known before anything moves: a run that dies now is recognised by what it restores.
      await release.record({
        restores: target.id,
        images: target.images,
        taskDefinitionArn: target.taskDefinitionArn,
        ...(target.services ? { services: target.services } : {}),
        ...(target.web ? { web: target.web } : {}),
      });
      if (plan.services) {
        const services = plan.services;
        const moved = await release.step("service", () =>
          restoreServices(services, target, release.liveRelease, release, {
            clients: deps.service,
            clock,
            logger,
            awaitInFlight: true,
            ...(deps.signal ? { signal: deps.signal } : {}),
          }),
        );
        if (target.web) {
          const web = target.web;
          let entryPointsBack = false;
          await release
            .step("web", async () => {
              const site = await restoreWebRelease(
                deps.s3,
                deps.cloudfront,
                plan.web,
                web.releaseId,
                {
                  clock,
                  logger,
                  onEntryPointsBack: () => {
                    entryPointsBack = true;
                  },
                  ...(deps.keyValueStore ? { keyValueStore: deps.keyValueStore } : {}),
                },
              );
              if (site.afterCommit) {
                await release.record({ warnings: [describeAfterCommit(site.afterCommit)] });
              }
            })
            .catch(async (error: Error) => {
              if (entryPointsBack && !(error instanceof CancelledError)) throw error;
              throw await undoServices(
                `the rollback failed before the site's entry points were back (${error.message})`,
                error,
                moved,
                { clients: deps.service, clock, logger },
              );
            });
        }
        return;
      }
      const guard = releaseGuardOf(deps, {
        environment: plan.ledger.environment,
        cluster: plan.service.cluster,
        service: plan.service.service,
      });
      let leaveArmed = false;
      try {
        const restored = await release.step("service", async () => {
          const result = await restoreService(
            plan.service,
            target.taskDefinitionArn,
            {
              clients: deps.service,
              clock,
              logger,
              awaitInFlight: true,
              ...(deps.signal ? { signal: deps.signal } : {}),
              ...(guard ? { armGuard: (service) => guard.arm(service) } : {}),
            },
            release.liveRelease?.taskDefinitionArn,
          );
          await release.record({
            taskDefinitionArn: target.taskDefinitionArn,
            previousTaskDefinitionArn: result.previousTaskDefinitionArn,
          });
          return result;
        });
        if (target.web) {
          const web = target.web;
          // The rollback's commit point: the release's entry points are back in the bucket.
          let entryPointsBack = false;
          const restoring = release.step("web", async () => {
            const site = await restoreWebRelease(
              deps.s3,
              deps.cloudfront,
              plan.web,
              web.releaseId,
              {
                clock,
                logger,
                onEntryPointsBack: () => {
                  entryPointsBack = true;
                  // The commit point; a kill before the disarm lands is a one-call window.
                  void guard?.disarm();
                },
                ...(deps.keyValueStore ? { keyValueStore: deps.keyValueStore } : {}),
              },
            );
            if (site.afterCommit) {
              await release.record({ warnings: [describeAfterCommit(site.afterCommit)] });
            }
          });
          await restoring.catch((error: unknown) => {
            const target = {
              clients: deps.service,
              cluster: plan.service.cluster,
              service: plan.service.service,
            };
            // Failed before the entry points were back: the site still serves what was live, so
            // the service returns to it too (without waiting when cancelled), as a deploy's does.
            if (error instanceof CancelledError || entryPointsBack) {
              return returnIfCancelled(error, target, restored, logger);
            }
            return returnServiceBeforeSite(error as Error, plan.service, restored, {
              clients: deps.service,
              clock,
              logger,
            });
          });
        }
      } catch (error) {
        // The run could not put the service back (exit 2): the guard's alarm has ECS do it.
        leaveArmed = error instanceof RollbackFailedError;
        throw error;
      } finally {
        await guard?.stop({ leaveArmed });
      }
    },
  );
}

/**
 * The site's restore failed before its entry points were back: the service, already on the
 * rollback's target, returns to what it ran (gated; an undo that must not be undone), so API and
 * SPA stay one release. Exit 1, or 2 when that return fails too.
 */
async function returnServiceBeforeSite(
  error: Error,
  service: ServiceTarget,
  restored: RestoreResult,
  deps: {
    clients: ReleaseDeps["service"];
    clock: ReleaseDeps["clock"];
    logger: ReleaseDeps["logger"];
  },
): Promise<never> {
  const previous = restored.previousTaskDefinitionArn;
  if (!previous || previous === restored.taskDefinitionArn) throw error;
  deps.logger.error(`${error.message}; returning the service to ${previous}`);
  try {
    await restoreService({ ...service, onInterruption: "stay" }, previous, deps);
  } catch (restoreError) {
    throw new RollbackFailedError(
      `ROLLBACK FAILED: the site's entry points were not restored (${error.message}) and returning the service to ${previous} failed too (${(restoreError as Error).message})`,
      { cause: error },
    );
  }
  throw new RolledBackError(
    `the rollback failed before the site's entry points were back (${error.message}); the service was returned to ${quote(previous)} and the site still serves what it served`,
    { cause: error },
  );
}

/** Every revision a rollback points a service at, each named by what it belongs to. */
function revisionsOf(
  target: RollbackPlan["target"],
  services: { key: string }[] | undefined,
): [string, string][] {
  if (!services) return [[`release ${quote(target.id)}`, target.taskDefinitionArn]];
  return services.map((service) => {
    const arn = target.services?.[service.key]?.taskDefinitionArn;
    if (!arn) {
      throw new ConfigurationError(
        `release ${quote(target.id)} has no task definition for service ${quote(service.key)} (it was not a release of these services): roll back to one that has`,
      );
    }
    return [`release ${quote(target.id)}, service ${quote(service.key)}`, arn];
  });
}

/**
 * A rollback of several services: each returns to the target's revision at once, gated, and the
 * rollback waits for all. When any fails (it returned itself, as restoreService does), the
 * others that moved return to what they ran. Returns the services that moved.
 */
async function restoreServices(
  services: NonNullable<RollbackPlan["services"]>,
  target: RollbackPlan["target"],
  live: ReleaseRecord | undefined,
  release: { record(patch: { services: Record<string, ServiceFacts> }): Promise<void> },
  deps: Parameters<typeof restoreService>[2],
): Promise<MovedService[]> {
  const settled = await Promise.allSettled(
    services.map((service) =>
      restoreService(
        service,
        target.services?.[service.key]?.taskDefinitionArn ?? "",
        { ...deps, logger: keyedLogger(deps.logger, service.key) },
        live?.services?.[service.key]?.taskDefinitionArn,
      ),
    ),
  );
  const facts: Record<string, ServiceFacts> = {};
  const moved: MovedService[] = [];
  const failed: { key: string; error: Error }[] = [];
  settled.forEach((outcome, index) => {
    const service = services[index] as (typeof services)[number];
    const arn = target.services?.[service.key]?.taskDefinitionArn;
    const base = { cluster: service.cluster, service: service.service };
    if (outcome.status === "rejected") {
      const error = outcome.reason as Error;
      failed.push({ key: service.key, error });
      facts[service.key] = { ...base, failure: error.message };
      return;
    }
    facts[service.key] = {
      ...base,
      ...(arn ? { taskDefinitionArn: arn } : {}),
      previousTaskDefinitionArn: outcome.value.previousTaskDefinitionArn,
    };
    if (outcome.value.changed) {
      moved.push({
        key: service.key,
        target: service,
        previousArn: outcome.value.previousTaskDefinitionArn,
      });
    }
  });
  await release.record({ services: facts });
  if (failed.length === 0) return moved;
  throw await undoServices(
    failed.map(({ key, error }) => `service ${key} failed: ${error.message}`).join("; "),
    failed.find((f) => f.error instanceof RollbackFailedError)?.error ??
      failed.find((f) => f.error instanceof CancelledError)?.error ??
      (failed[0]?.error as Error),
    moved,
    deps,
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
  inputs: Pick<RollbackInputs, "to" | "release" | "environment">,
  settled: {
    live: Pick<LivePointer, "releaseId" | "previous"> | undefined;
    reconciliation?: Reconciliation;
  },
): Promise<{ target: RollbackPlan["target"]; liveReleaseId: string | undefined }> {
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
  const taskDefinitionArn = record.taskDefinitionArn;
  const settledAs = reconciliation?.releases.find((row) => row.id === id)?.settledAs;
  const status = settledAs ?? record.status;
  if (status !== "live" || !taskDefinitionArn) {
    throw new ConfigurationError(
      `release ${quote(id)} never went live (status ${status}): roll back to a release that did`,
    );
  }
  if (live?.releaseId === id && (reconciliation?.consistent ?? true)) {
    throw new ConfigurationError(`release ${quote(id)} is the live release already`);
  }
  return { target: { ...record, taskDefinitionArn }, liveReleaseId: live?.releaseId };
}
