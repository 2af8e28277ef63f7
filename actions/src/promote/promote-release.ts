import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import { environmentInputs } from "../config/environment";
import { loadConfig } from "../config/load";
import type { ShiplineConfig } from "../config/schema";
import { describeRepository } from "../ecr/repository";
import { trackRelease } from "../github/track";
import { DEFAULT_LEDGER_PREFIX, normalizePrefix } from "../ledger/keys";
import { Ledger } from "../ledger/releases";
import { whileCancellable } from "../lib/cancel";
import { ciDefaults, mergeRawInputs } from "../lib/ci-context";
import { ConfigurationError, quote } from "../lib/errors";
import { parseImageReference } from "../oci/reference";
import { deploy, type ReleaseDeps } from "../release/deploy";
import { parseDeployInputs } from "../release/inputs";
import { type PlannedImage, planRelease, type ReleasePlan } from "../release/plan";
import { reportReleasePlan } from "../release/plan-report";
import { type ReleaseRecord, runContext } from "../release/record";
import { reportRelease } from "../release/report";
import { parseImageChange } from "../service/inputs";
import type { PromoteReleaseInputs } from "./inputs";
import { type EnvironmentLedger, findPromotableRelease, type PromotableRelease } from "./source";
import { fetchWebRelease } from "./web-files";

export interface PromoteDeps extends ReleaseDeps {
  /** Reads the source environment's bucket (another region's client when it differs). */
  sourceS3: S3Client;
}

/** The two environments of a promotion, from the configuration file. */
export interface PromotionSides {
  file: string;
  config: ShiplineConfig;
  source: EnvironmentLedger;
  /** The source environment's region, for reading its bucket. */
  sourceRegion: string | undefined;
  targetRegion: string | undefined;
}

/** Reads the configuration file a promotion needs: both environments are described there. */
export async function promotionSides(
  inputs: PromoteReleaseInputs,
  file: string | undefined,
): Promise<PromotionSides> {
  if (!file) {
    throw new ConfigurationError(
      'promote-release reads both environments from the configuration file: give "config" (or SHIPLINE_CONFIG, or add shipline.yml)',
    );
  }
  const config = await loadConfig(file);
  const from = environmentInputs(config, inputs.from, file);
  // Checked now too, so a wrong target name is refused before the source is read.
  const to = environmentInputs(config, inputs.to, file);
  return {
    file,
    config,
    sourceRegion: from.region,
    targetRegion: to.region,
    source: {
      environment: inputs.from,
      bucket: from.bucket ?? "",
      ledgerPrefix: normalizePrefix(
        from["ledger-prefix"] ?? DEFAULT_LEDGER_PREFIX,
        "ledger-prefix",
      ),
    },
  };
}

/**
 * promote-release: the release of one environment shipped to another through the same release
 * transaction as a deploy (plan → lock → service rollout and gate → web commit point → record),
 * with nothing built: the same image digests (copied by digest into the target's repositories
 * when they differ) and the same web files (read from the source's bucket), under the target's
 * own task definition, gate, bucket and distributions. The source must have gone live; any
 * refusal comes before the lock. Undefined on a dry run.
 */
export async function runPromoteRelease(
  inputs: PromoteReleaseInputs,
  sides: PromotionSides,
  deps: PromoteDeps,
): Promise<ReleaseRecord | undefined> {
  const { logger } = deps;
  const commit =
    inputs.commit === "current" ? runContext(deps.env, deps.clock.now()).commit : inputs.commit;
  const promotable = await findPromotableRelease(deps.sourceS3, sides.source, {
    release: inputs.release,
    commit,
  });
  const { record } = promotable;
  logger.info(
    `promoting release ${record.id} (commit ${record.commit}) from ${inputs.from} to ${inputs.to}`,
  );
  const folder = await mkdtemp(join(tmpdir(), "shipline-promote-"));
  try {
    const fetched = await fetchWebRelease(deps.sourceS3, sides.source, promotable.web, folder);
    logger.info(
      `web release ${promotable.web.releaseId}: ${fetched.files} file(s), ${fetched.bytes} bytes, each matching its recorded sha256`,
    );
    const plan = await planPromotion(inputs, sides, promotable, folder, deps);
    if (inputs["dry-run"]) {
      await reportReleasePlan(plan, logger);
      return undefined;
    }
    const target = { environment: inputs.to, url: plan.web.inputs.url };
    const promoted = await trackRelease("deploy", target, deps.env, logger, () =>
      whileCancellable(logger, (signal) => deploy(plan, { ...deps, signal })),
    );
    await reportRelease("deploy", promoted, inputs.to, logger);
    return promoted;
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/**
 * The deploy plan of the target environment, with the source's images and the fetched files in
 * place of a build. Refuses (exit 4) what would make the target differ from the source: a
 * container the target configures that the release does not have, and a release id the target's
 * ledger has already.
 */
async function planPromotion(
  inputs: PromoteReleaseInputs,
  sides: PromotionSides,
  { record }: PromotableRelease,
  folder: string,
  deps: PromoteDeps,
): Promise<ReleasePlan> {
  const targetSettings = sides.config.environments[inputs.to];
  const targetRaw = environmentInputs(sides.config, inputs.to, sides.file);
  const releaseId = inputs["release-id"] ?? record.id;
  const deployInputs = parseDeployInputs(
    mergeRawInputs(targetRaw, ciDefaults(deps.env), {
      environment: inputs.to,
      config: sides.file,
      source: folder,
      "release-id": releaseId,
      images: Object.entries(record.images)
        .map(([container, image]) => `${container}=${image.uri}`)
        .join("\n"),
    }),
  );
  const missing = Object.keys(targetSettings?.containers ?? {}).filter(
    (container) => !record.images[container],
  );
  if (missing.length > 0) {
    throw new ConfigurationError(
      `environment ${quote(inputs.to)} runs container(s) ${missing.map((name) => quote(name)).join(", ")} that release ${quote(record.id)} of ${quote(inputs.from)} has no image for`,
    );
  }
  const ledger = new Ledger(deps.s3, deployInputs.bucket, deployInputs["ledger-prefix"], inputs.to);
  if (await ledger.read(releaseId)) {
    throw new ConfigurationError(
      `environment ${quote(inputs.to)} has a release ${quote(releaseId)} already (promoted before?): give "release-id" for this one`,
    );
  }
  // The containers as `images`, so deploy's own inputs parse; `containers` would mean a build.
  const plan = await planRelease(
    { ...deployInputs, containers: {} },
    {},
    deps.env,
    deps.clock.now(),
  );
  // The target's own repository gets a copy by digest; the same repository needs nothing.
  const images = Object.entries(record.images).map(([container, image]): PlannedImage => {
    const repository = targetSettings?.containers[container]?.repository ?? image.repository;
    return repository === image.repository
      ? { container, source: "given", change: parseImageChange(`${container}=${image.uri}`) }
      : { container, source: "copy", from: image, repository };
  });
  await checkCopyTargets(images, deps);
  return {
    ...plan,
    // The release is the source's commit, whichever run ships it.
    context: { ...plan.context, commit: record.commit },
    trigger: "promote",
    images,
    service: { ...plan.service, commit: record.commit },
    promotedFrom: { environment: inputs.from, releaseId: record.id },
  };
}

/**
 * Each repository an image is copied into exists and is in the image's registry: read before
 * the lock, so a missing repository is a bad input (exit 4), not a failed release.
 */
async function checkCopyTargets(images: PlannedImage[], deps: PromoteDeps): Promise<void> {
  for (const image of images) {
    if (image.source !== "copy") continue;
    const target = await describeRepository(deps.ecr(), image.repository);
    const from = parseImageReference(image.from.uri).registry;
    const to = parseImageReference(target.uri).registry;
    if (from !== to) {
      throw new ConfigurationError(
        `container ${quote(image.container)}: image ${quote(image.from.uri)} is in registry ${quote(from)}, repository ${quote(image.repository)} in ${quote(to)}: promotion copies images within one registry`,
      );
    }
  }
}
