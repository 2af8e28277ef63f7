import type { CloudFrontClient } from "@aws-sdk/client-cloudfront";
import type { ECRClient } from "@aws-sdk/client-ecr";
import type { S3Client } from "@aws-sdk/client-s3";
import { presetInputs } from "../cli/presets";
import { buildImage } from "../images/build-image";
import { parseBuildImageInputs } from "../images/inputs";
import { ciDefaults, mergeRawInputs } from "../lib/ci-context";
import type { Clock } from "../lib/clock";
import { ConfigurationError, quote, RollbackFailedError, RolledBackError } from "../lib/errors";
import type { RawInputs } from "../lib/inputs";
import type { Logger } from "../lib/logger";
import type { ServiceClients } from "../service/clients";
import { deployService } from "../service/deploy-service";
import { parseDeployServiceInputs, parseImageChange } from "../service/inputs";
import { failureOf } from "../service/report";
import { returnIfCancelled } from "../service/update";
import { parsePublishWebInputs } from "../web/inputs";
import { releaseKey } from "../web/ledger-keys";
import { publishWeb } from "../web/publish-web";
import type { DeployInputs } from "./inputs";
import { revisionsKeptByLedger } from "./kept-revisions";
import { Ledger } from "./ledger";
import { environmentOf } from "./reality";
import { type ReleaseImage, type ReleaseRecord, releaseIdOf, runContext } from "./record";
import { graceOf, restoreService } from "./restore-service";
import { withReleaseSession } from "./session";

export interface ReleaseDeps {
  s3: S3Client;
  cloudfront: () => CloudFrontClient;
  service: ServiceClients;
  ecr: () => ECRClient;
  clock: Clock;
  logger: Logger;
  env: NodeJS.ProcessEnv;
  /** Registry fetch for the image builder (tests may route it). */
  fetch?: typeof fetch;
  /** SIGINT/SIGTERM: stop at the next safe point and put back what the release changed. */
  signal?: AbortSignal;
}

/**
 * deploy = images → service (gated) → web → record, under the environment's lock. The API goes
 * first so the new SPA never talks to an old API. Any failure leaves the previous release
 * serving: a failed gate is rolled back by the rollout itself, and a failed web publish returns
 * the service to its previous task definition (the old index.html was never replaced: entry
 * points go last).
 */
export async function deploy(
  inputs: DeployInputs,
  builds: Record<string, RawInputs>,
  deps: ReleaseDeps,
): Promise<ReleaseRecord> {
  const { clock, logger } = deps;
  const context = runContext(deps.env, clock.now());
  const releaseId = releaseIdOf(context, inputs["release-id"]);
  const prebuilt = new Map(
    inputs.images.map((entry) => {
      const change = parseImageChange(entry);
      return [change.container, change] as const;
    }),
  );
  const containers = Object.keys({ ...inputs.containers, ...Object.fromEntries(prebuilt) });
  if (containers.length === 0) {
    throw new ConfigurationError(
      'nothing to deploy: give "containers" (NAME=REPOSITORY, usually from the configuration file) or "images" (container=image@sha256:…)',
    );
  }
  logger.info(`release ${releaseId} of ${context.commit} to ${inputs.environment}`);
  const ledger = () =>
    new Ledger(deps.s3, inputs.bucket, inputs["ledger-prefix"], inputs.environment);
  const gate = {
    pollIntervalMs: inputs["gate-interval"],
    healthyPolls: inputs["healthy-polls"],
    timeoutMs: inputs["gate-timeout"],
  };
  return withReleaseSession(
    {
      s3: deps.s3,
      bucket: inputs.bucket,
      ledgerPrefix: inputs["ledger-prefix"],
      environment: inputs.environment,
      releaseId,
      context,
      trigger: deps.env.GITHUB_EVENT_NAME === "workflow_dispatch" ? "manual" : "push",
      command: "deploy",
      lockTtlMs: inputs["lock-ttl"],
      clock,
      logger,
      reality: environmentOf(inputs, deps),
      ...(deps.signal ? { signal: deps.signal } : {}),
    },
    async (release) => {
      const images = await release.step("images", async () => {
        const result: Record<string, ReleaseImage> = {};
        for (const container of containers) {
          const given = prebuilt.get(container);
          if (given) {
            result[container] = {
              repository: given.repository,
              digest: given.digest,
              uri: given.image,
            };
            continue;
          }
          const build = builds[container] ?? {};
          const { preset, ...rest } = build;
          const built = await buildImage(
            parseBuildImageInputs(
              mergeRawInputs(ciDefaults(deps.env), presetInputs(preset), rest, {
                repository: inputs.containers[container] ?? rest.repository,
                // Tagged with the commit (the CI default); a run without one, with its release.
                ...(/^[0-9a-f]{7,40}$/.test(context.commit)
                  ? { revision: context.commit }
                  : { tags: releaseId }),
                region: inputs.region,
              }),
            ),
            { logger, ecr: deps.ecr, ...(deps.fetch ? { fetch: deps.fetch } : {}) },
          );
          result[container] = {
            repository: built.repository,
            digest: built.digest,
            uri: built.image,
          };
        }
        return result;
      });
      await release.record({ images });

      const rollout = await release.step("service", async () => {
        const result = await deployService(
          parseDeployServiceInputs({
            cluster: inputs.cluster,
            service: inputs.service,
            images: Object.entries(images)
              .map(([container, image]) => `${container}=${image.uri}`)
              .join("\n"),
            "poll-interval": `${gate.pollIntervalMs}ms`,
            "healthy-polls": String(gate.healthyPolls),
            timeout: `${gate.timeoutMs}ms`,
            ...(inputs["grace-period"] ? { grace: inputs["grace-period"] } : {}),
            "keep-revisions": String(inputs["keep-revisions"]),
            ...(inputs["migration-command"]
              ? { "migration-command": inputs["migration-command"] }
              : {}),
            commit: context.commit,
            tags: `shipline:release=${releaseId}`,
            environment: [
              ...inputs["release-env"].map((variable) => `${variable}=${releaseId}`),
              ...inputs["container-env"],
            ].join("\n"),
            region: inputs.region,
          }),
          {
            clients: deps.service,
            logger,
            clock,
            keptRevisions: (keep) => revisionsKeptByLedger(ledger(), keep),
            ...(release.liveRelease?.taskDefinitionArn
              ? { returnTo: release.liveRelease.taskDefinitionArn }
              : {}),
            ...(deps.signal ? { signal: deps.signal } : {}),
          },
        );
        await release.record({
          taskDefinitionArn: result.taskDefinitionArn,
          previousTaskDefinitionArn: result.previousTaskDefinitionArn,
        });
        const failure = failureOf(result);
        if (failure) throw failure;
        return result;
      });

      const web = release.step("web", async () => {
        try {
          await publishWeb(
            parsePublishWebInputs({
              source: inputs.source,
              bucket: inputs.bucket,
              "distribution-id": inputs["distribution-id"].join("\n"),
              "release-id": releaseId,
              "keep-releases": String(inputs["keep-releases"]),
              "ledger-prefix": inputs["ledger-prefix"],
              wait: String(inputs["wait-invalidation"]),
              ...(inputs.url ? { url: inputs.url } : {}),
              ...(inputs.region ? { region: inputs.region } : {}),
            }),
            { logger, s3: deps.s3, cloudfront: deps.cloudfront, clock },
          );
        } catch (error) {
          await returnService(
            error as Error,
            rollout.previousTaskDefinitionArn,
            rollout.taskDefinitionArn,
          );
        }
        await release.record({
          web: { releaseId, manifestKey: releaseKey(inputs["ledger-prefix"], "", releaseId) },
        });
      });
      // Stopped before the web step began: the service went out, the site did not. Put the
      // service back at once (a cancelled run exits within seconds) and record the cancellation.
      await web.catch((error: unknown) =>
        returnIfCancelled(
          error,
          { clients: deps.service, cluster: inputs.cluster, service: inputs.service },
          rollout,
          logger,
        ),
      );
    },
  );

  /** The web failed after the service went live: put the service back, then report the cause. */
  async function returnService(error: Error, previousArn: string, newArn: string): Promise<never> {
    if (!previousArn || previousArn === newArn) throw error;
    logger.error(`web publish failed (${error.message}); returning the service to ${previousArn}`);
    try {
      await restoreService(
        {
          cluster: inputs.cluster,
          service: inputs.service,
          gate: {
            pollIntervalMs: inputs["gate-interval"],
            healthyPolls: inputs["healthy-polls"],
            timeoutMs: inputs["gate-timeout"],
            ...graceOf(inputs["grace-period"]),
          },
          // This is the undo: reads failing during it must not send the service forward again.
          onInterruption: "stay",
        },
        previousArn,
        { clients: deps.service, clock, logger },
      );
    } catch (restoreError) {
      throw new RollbackFailedError(
        `ROLLBACK FAILED: the web publish failed (${error.message}) and returning the service to ${previousArn} failed too (${(restoreError as Error).message})`,
        { cause: error },
      );
    }
    throw new RolledBackError(
      `the web publish failed (${error.message}); the service was returned to ${quote(previousArn)} and the previous site was never replaced`,
      { cause: error },
    );
  }
}
