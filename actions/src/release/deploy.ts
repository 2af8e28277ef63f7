import type { CloudFrontClient } from "@aws-sdk/client-cloudfront";
import type { CloudFrontKeyValueStoreClient } from "@aws-sdk/client-cloudfront-keyvaluestore";
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { ECRClient } from "@aws-sdk/client-ecr";
import type { S3Client } from "@aws-sdk/client-s3";
import { buildImage } from "../images/build-image";
import { copyImageByDigest } from "../images/copy-image";
import { releaseKey } from "../ledger/keys";
import { Ledger } from "../ledger/releases";
import { CancelledError } from "../lib/cancel";
import type { Clock } from "../lib/clock";
import { quote, RollbackFailedError, RolledBackError } from "../lib/errors";
import type { Logger } from "../lib/logger";
import { parseImageReference } from "../oci/reference";
import type { ServiceClients } from "../service/clients";
import { deployService } from "../service/deploy-service";
import { failureOf, logDiagnosis } from "../service/report";
import { returnWithoutWaiting } from "../service/update";
import { describeDistributions } from "../web/distributions";
import { describeAfterCommit, SitePutBackError } from "../web/publish-phase";
import { publishWebRelease } from "../web/publish-web";
import { releaseGuardOf } from "./guard";
import { revisionsKeptByLedger } from "./kept-revisions";
import { LockLostError } from "./lock";
import type { ReleasePlan } from "./plan";
import { environmentOf } from "./reality";
import type { ReleaseImage, ReleaseRecord } from "./record";
import { restoreService } from "./restore-service";
import { type MovedService, rollServices, undoServices } from "./roll-services";
import { assignContainers, type ServiceContainers } from "./service-containers";
import { withReleaseSession } from "./session";

export interface ReleaseDeps {
  s3: S3Client;
  cloudfront: () => CloudFrontClient;
  /** The key value store's data plane (web-mode atomic). */
  keyValueStore?: () => CloudFrontKeyValueStoreClient;
  service: ServiceClients;
  ecr: () => ECRClient;
  /** The release guard's heartbeat and alarm; without it a release runs unguarded. */
  cloudwatch?: () => CloudWatchClient;
  clock: Clock;
  logger: Logger;
  env: NodeJS.ProcessEnv;
  /** Registry fetch for the image builder (tests may route it). */
  fetch?: typeof fetch;
  /** SIGINT/SIGTERM: stop at the next safe point and put back what the release changed. */
  signal?: AbortSignal;
}

/**
 * deploy = images → service (gated) → web → record, under the environment's lock, following a
 * plan checked beforehand (planRelease). The API goes first so the new SPA never talks to an old
 * API. The release commits when the web's entry points are live: a failure before that leaves
 * the previous release serving (a failed gate is rolled back by the rollout itself; a failed web
 * publish returns the service to its previous task definition), a failure after it is a warning
 * on a release that is live, never a return to the old API under the new SPA.
 */
export async function deploy(
  plan: ReleasePlan,
  deps: ReleaseDeps,
  /** Which service runs which container, when read already (see assignContainers). */
  containers?: ServiceContainers,
): Promise<ReleaseRecord> {
  const { clock, logger } = deps;
  const ledger = new Ledger(
    deps.s3,
    plan.ledger.bucket,
    plan.ledger.ledgerPrefix,
    plan.ledger.environment,
  );
  logger.info(`release ${plan.releaseId} of ${plan.context.commit} to ${plan.ledger.environment}`);
  await checkDistributions(plan, deps);
  // Several services: which runs which container, read before the lock (a bad input is exit 4).
  if (!containers && !plan.services.every((service) => service.shorthand)) {
    containers = await assignContainers(plan, deps.service);
  }
  return withReleaseSession(
    {
      s3: deps.s3,
      ...plan.ledger,
      releaseId: plan.releaseId,
      context: plan.context,
      trigger: plan.trigger,
      command: plan.promotedFrom ? "promote-release" : "deploy",
      ...(plan.promotedFrom ? { promotedFrom: plan.promotedFrom } : {}),
      clock,
      logger,
      // Reconciled once the lock is held: a run that died may have left the ledger behind.
      reality: environmentOf(
        {
          bucket: plan.ledger.bucket,
          "ledger-prefix": plan.ledger.ledgerPrefix,
          cluster: plan.service.cluster,
          services: plan.services,
          "web-mode": plan.web.inputs["web-mode"],
          "key-value-store": plan.web.inputs["key-value-store"],
        },
        deps,
      ),
      ...(deps.signal ? { signal: deps.signal } : {}),
    },
    async (release) => {
      const images = await release.step("images", async () => {
        const result: Record<string, ReleaseImage> = {};
        for (const image of plan.images) {
          if (image.source === "given") {
            const { repository, digest, image: uri } = image.change;
            result[image.container] = { repository, digest, uri };
            continue;
          }
          if (image.source === "copy") {
            const copied = await copyImageByDigest(image.from, image.repository, {
              logger,
              ecr: deps.ecr,
              ...(deps.fetch ? { fetch: deps.fetch } : {}),
            });
            result[image.container] = {
              repository: copied.repository,
              digest: copied.digest,
              uri: copied.uri,
            };
            continue;
          }
          const built = await buildImage(image.inputs, {
            logger,
            ecr: deps.ecr,
            ...(deps.fetch ? { fetch: deps.fetch } : {}),
          });
          result[image.container] = {
            repository: built.repository,
            digest: built.digest,
            uri: built.image,
          };
        }
        return result;
      });
      await release.record({ images });

      // Set once the services run their new task definitions, cleared at the commit point:
      // while set, any failure (the web, or recording either step) returns every service.
      let moved: MovedService[] = [];
      let leaveArmed = false;
      // The heartbeat alarm guards one service (see guard.ts); several services have none yet.
      const guard = plan.services.every((service) => service.shorthand)
        ? releaseGuardOf(deps, {
            environment: plan.ledger.environment,
            cluster: plan.service.cluster,
            service: plan.service.service,
          })
        : undefined;
      try {
        await release.step("service", async () => {
          if (!plan.services.every((service) => service.shorthand)) {
            const rolled = await rollServices(
              plan.services,
              imageChanges(plan, images),
              containers ?? (await assignContainers(plan, deps.service)),
              release.liveRelease,
              plan.context.commit,
              {
                clients: deps.service,
                logger,
                clock,
                keptRevisions: (keep) => revisionsKeptByLedger(ledger, keep),
                ...(deps.signal ? { signal: deps.signal } : {}),
              },
            );
            moved = rolled.moved;
            const first = Object.values(rolled.facts)[0];
            await release.record({
              services: rolled.facts,
              ...(first?.taskDefinitionArn ? { taskDefinitionArn: first.taskDefinitionArn } : {}),
              ...(first?.previousTaskDefinitionArn
                ? { previousTaskDefinitionArn: first.previousTaskDefinitionArn }
                : {}),
            });
            if (rolled.error) throw rolled.error;
            return rolled;
          }
          const result = await deployService(
            { ...plan.service, images: imageChanges(plan, images) },
            {
              clients: deps.service,
              logger,
              clock,
              keptRevisions: (keep) => revisionsKeptByLedger(ledger, keep),
              // A failed rollout returns to the live release, never to a revision a dead run
              // left on the service without passing its gate.
              ...(release.liveRelease?.taskDefinitionArn
                ? { returnTo: release.liveRelease.taskDefinitionArn }
                : {}),
              ...(deps.signal ? { signal: deps.signal } : {}),
              ...(guard ? { armGuard: (service) => guard.arm(service) } : {}),
            },
          );
          const failure = failureOf(result);
          const previous = result.previousTaskDefinitionArn;
          if (!failure && previous && previous !== result.taskDefinitionArn) {
            moved = [{ key: plan.restore.service, target: plan.restore, previousArn: previous }];
          }
          await release.record({
            taskDefinitionArn: result.taskDefinitionArn,
            previousTaskDefinitionArn: result.previousTaskDefinitionArn,
          });
          if (failure) {
            // The error says what failed; the diagnosis says where to look (the health check's
            // path and port, the containers' last lines), as deploy-service prints it.
            logDiagnosis(result, logger);
            throw failure;
          }
          return result;
        });

        await release.step("web", async () => {
          const outcome = await publishWebRelease(
            plan.web.inputs,
            {
              logger,
              s3: deps.s3,
              cloudfront: deps.cloudfront,
              ...(deps.keyValueStore ? { keyValueStore: deps.keyValueStore } : {}),
              clock,
              ...(deps.signal ? { signal: deps.signal } : {}),
              // Disarmed right before the entry points go up (web-mode atomic: right before its
              // PutKey, the router in place), not after: a run killed while it writes them must
              // not have ECS take the API back under new pages (the new SPA never talks to an old
              // API). What that window leaves is the API ahead of the site, which status names
              // and the next command repairs, as without the guard.
              ...(guard ? { beforeEntryPoints: () => guard.disarm() } : {}),
            },
            plan.web.site,
          );
          // The commit point: API and SPA are both the new release. From here on, only forward.
          moved = [];
          const warnings = outcome.afterCommit ? [describeAfterCommit(outcome.afterCommit)] : [];
          const web = {
            releaseId: plan.releaseId,
            manifestKey: releaseKey(plan.ledger.ledgerPrefix, "", plan.releaseId),
          };
          // A failure to record it does not un-publish it: the release stays live, its record
          // lacks only the web facts, and the warning says so.
          await release
            .record({ web, ...(warnings.length > 0 ? { warnings } : {}) })
            .catch((error: Error) =>
              logger.warning(
                `the release is live, but recording its web release failed: ${error.message}`,
              ),
            );
        });
      } catch (error) {
        const thrown = await (async function putBackBeforeCommit(): Promise<never> {
          // Before the commit point: the site still serves the previous release. A cancelled run
          // sends the service back without waiting for it (it must exit within seconds).
          const [only, ...others] = moved;
          if (only && others.length > 0 && !(error instanceof LockLostError)) {
            const undone = await undoServices(
              `the release failed before its entry points went live (${(error as Error).message})`,
              error as Error,
              moved,
              { clients: deps.service, clock, logger },
            );
            // The services are back, but the site may serve some of the new pages: a human must look.
            if (error instanceof SitePutBackError && undone instanceof RolledBackError) {
              throw new RollbackFailedError(`ROLLBACK FAILED: ${undone.message}`, { cause: error });
            }
            throw undone;
          }
          if (only && error instanceof CancelledError) {
            await returnWithoutWaiting(
              error,
              { clients: deps.service, cluster: only.target.cluster, service: only.target.service },
              only.previousArn,
              logger,
            );
          }
          // A lost lock belongs to another run now: the environment is its to change, not ours.
          if (only && !(error instanceof LockLostError)) {
            await returnService(error as Error, only);
          }
          throw error;
        })().catch((final: unknown) => final);
        // The run could not put the service back (exit 2): the guard's alarm has ECS do it.
        leaveArmed = thrown instanceof RollbackFailedError;
        throw thrown;
      } finally {
        await guard?.stop({ leaveArmed });
      }
    },
  );

  /** A step failed before the commit point, with the service moved: put it back, then report. */
  async function returnService(error: Error, moved: MovedService): Promise<never> {
    const { previousArn } = moved;
    logger.error(`${error.message}; returning the service to ${previousArn}`);
    try {
      // This is the undo: reads failing during it must not send the service forward again.
      await restoreService({ ...moved.target, onInterruption: "stay" }, previousArn, {
        clients: deps.service,
        clock,
        logger,
      });
    } catch (restoreError) {
      throw new RollbackFailedError(
        `ROLLBACK FAILED: the release failed before its entry points went live (${error.message}) and returning the service to ${previousArn} failed too (${(restoreError as Error).message})`,
        { cause: error },
      );
    }
    if (error instanceof SitePutBackError) {
      // The service is back, but the site may serve some of the new pages: a human must look.
      throw new RollbackFailedError(
        `ROLLBACK FAILED: ${error.message}; the service was returned to ${quote(previousArn)}`,
        { cause: error },
      );
    }
    throw new RolledBackError(
      `the release failed before its entry points went live (${error.message}); the service was returned to ${quote(previousArn)} and the previous site was never replaced`,
      { cause: error },
    );
  }
}

/** The images the new task definition runs, pinned by digest. */
function imageChanges(plan: ReleasePlan, images: Record<string, ReleaseImage>) {
  return plan.images.map((planned) => {
    if (planned.source === "given") return planned.change;
    const image = images[planned.container] as ReleaseImage;
    return {
      container: planned.container,
      image: image.uri,
      registry: parseImageReference(image.uri).registry,
      repository: image.repository,
      digest: image.digest,
    };
  });
}

/**
 * The one input the plan cannot check offline: that each distribution exists. Read before the
 * lock, so a wrong id is a bad input (exit 4) found before the service rolls, not after it.
 */
async function checkDistributions(plan: ReleasePlan, deps: ReleaseDeps): Promise<void> {
  const ids = plan.web.inputs["distribution-id"];
  if (ids.length > 0) await describeDistributions(deps.cloudfront(), ids, plan.web.inputs.bucket);
}
