import {
  BatchGetImageCommand,
  type ECRClient,
  ImageAlreadyExistsException,
  ImageTagAlreadyExistsException,
  PutImageCommand,
} from "@aws-sdk/client-ecr";
import { describeRepository } from "../ecr/repository";
import { ConfigurationError, quote } from "../lib/errors";
import type { Logger } from "../lib/logger";
import { ALL_MANIFEST_TYPES } from "../oci/media-types";
import type { PromoteImageInputs } from "./promote-inputs";

export interface PromoteResult {
  repository: string;
  /** The repository's URI, e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com/shipline/api. */
  uri: string;
  digest: string;
  tags: { tag: string; outcome: "tagged" | "unchanged"; previous?: string }[];
}

/** The digest a tag points at now, or undefined. */
async function digestOfTag(
  ecr: ECRClient,
  repository: string,
  tag: string,
): Promise<string | undefined> {
  const response = await ecr.send(
    new BatchGetImageCommand({
      repositoryName: repository,
      imageIds: [{ imageTag: tag }],
      acceptedMediaTypes: [...ALL_MANIFEST_TYPES],
    }),
  );
  return response.images?.[0]?.imageId?.imageDigest;
}

function conflict(
  repository: string,
  tag: string,
  current: string | undefined,
  digest: string,
): ConfigurationError {
  return new ConfigurationError(
    `tag ${quote(tag)} of immutable repository ${repository} already points at ${current ?? "another image"}; cannot move it to ${digest}`,
  );
}

/**
 * Gives an image that is already in ECR more tags, by digest: no pull, no rebuild, no upload
 * (BatchGetImage reads the manifest, PutImage stores it under the tag). Re-running it is safe:
 * a tag that already points at the digest is left alone. In an immutable repository a tag that
 * points elsewhere is an error naming both digests.
 */
export async function promoteImage(
  inputs: PromoteImageInputs,
  deps: { ecr: ECRClient; logger: Logger },
): Promise<PromoteResult> {
  const { ecr, logger } = deps;
  const repository = await describeRepository(ecr, inputs.repository);
  const source = await ecr.send(
    new BatchGetImageCommand({
      repositoryName: inputs.repository,
      imageIds: [{ imageDigest: inputs.digest }],
      acceptedMediaTypes: [...ALL_MANIFEST_TYPES],
    }),
  );
  const image = source.images?.[0];
  if (!image?.imageManifest) {
    throw new ConfigurationError(
      `image ${inputs.digest} is not in repository ${inputs.repository}`,
    );
  }
  const result: PromoteResult = {
    repository: inputs.repository,
    uri: repository.uri,
    digest: inputs.digest,
    tags: [],
  };
  for (const tag of inputs.tags) {
    const current = await digestOfTag(ecr, inputs.repository, tag);
    if (current === inputs.digest) {
      result.tags.push({ tag, outcome: "unchanged" });
      continue;
    }
    if (current && repository.immutable)
      throw conflict(inputs.repository, tag, current, inputs.digest);
    try {
      await ecr.send(
        new PutImageCommand({
          repositoryName: inputs.repository,
          imageManifest: image.imageManifest,
          ...(image.imageManifestMediaType
            ? { imageManifestMediaType: image.imageManifestMediaType }
            : {}),
          imageTag: tag,
          imageDigest: inputs.digest,
        }),
      );
      result.tags.push({ tag, outcome: "tagged", ...(current ? { previous: current } : {}) });
    } catch (error) {
      // A concurrent run may have set the tag between our read and our write.
      if (error instanceof ImageAlreadyExistsException) {
        result.tags.push({ tag, outcome: "unchanged" });
      } else if (error instanceof ImageTagAlreadyExistsException) {
        throw conflict(
          inputs.repository,
          tag,
          await digestOfTag(ecr, inputs.repository, tag),
          inputs.digest,
        );
      } else {
        throw error;
      }
    }
    logger.info(`${inputs.repository}:${tag} → ${inputs.digest}`);
  }
  return result;
}

export async function reportPromote(result: PromoteResult, logger: Logger): Promise<void> {
  logger.output("digest", result.digest);
  logger.output("tags", result.tags.map((tag) => tag.tag).join(","));
  logger.output("image", `${result.uri}@${result.digest}`);
  await logger.summary({
    title: `Promoted ${result.repository}@${result.digest}`,
    headers: ["tag", "outcome", "previously"],
    rows: result.tags.map((tag) => [tag.tag, tag.outcome, tag.previous ?? ""]),
  });
}
