import type { ECRClient } from "@aws-sdk/client-ecr";
import type { Logger } from "../lib/logger";
import { type BuildahRunner, buildWithBuildah } from "./buildah-builder";
import { buildWithDocker, type CommandRunner } from "./docker-builder";
import type { BuildImageInputs } from "./inputs";
import { buildWithOci } from "./oci-builder";
import { type BuildImageResult, reportBuildImage } from "./report";
import { layoutTarget, openTarget } from "./target";

export interface BuildImageDeps {
  logger: Logger;
  /** Creates the ECR client; called only when pushing to ECR. */
  ecr: () => ECRClient;
  fetch?: typeof fetch;
  /** Runs `docker` for the docker builder. */
  runCommand?: CommandRunner;
  /** Runs `buildah` for the buildah builder. */
  runBuildah?: BuildahRunner;
  now?: () => number;
}

/** The build-image unit: typed inputs → push target → build (oci, buildah or docker) → report. */
export async function buildImage(
  inputs: BuildImageInputs,
  deps: BuildImageDeps,
): Promise<BuildImageResult> {
  const target = inputs.layout
    ? layoutTarget(inputs.layout, inputs.repository)
    : await openTarget(
        {
          repository: inputs.repository,
          ...(inputs.registry ? { registry: inputs.registry } : {}),
          ...(inputs["registry-username"] ? { username: inputs["registry-username"] } : {}),
          ...(inputs["registry-password"] ? { password: inputs["registry-password"] } : {}),
        },
        { logger: deps.logger, ecr: deps.ecr, ...(deps.fetch ? { fetch: deps.fetch } : {}) },
      );
  if (inputs.layout) deps.logger.info(`writing the image into the OCI layout ${inputs.layout}`);
  const result =
    inputs.builder === "docker"
      ? await buildWithDocker(inputs, target, deps)
      : inputs.builder === "buildah"
        ? await buildWithBuildah(inputs, target, deps)
        : await buildWithOci(inputs, target, deps);
  await reportBuildImage(result, deps.logger);
  return result;
}
