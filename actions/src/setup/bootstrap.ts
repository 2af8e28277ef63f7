import type { CloudFrontClient } from "@aws-sdk/client-cloudfront";
import type { ECRClient } from "@aws-sdk/client-ecr";
import type { S3Client } from "@aws-sdk/client-s3";
import { GetCallerIdentityCommand, type STSClient } from "@aws-sdk/client-sts";
import { ConfigurationError } from "../lib/errors";
import type { Logger } from "../lib/logger";
import { bucketPolicyChanges } from "./bucket-policy";
import type { BootstrapInputs } from "./inputs";
import { previewAliasAdvice } from "./preview-alias";
import { type Change, repositoryChanges } from "./repositories";
import { roleAdvice } from "./roles";

export interface BootstrapDeps {
  ecr: ECRClient;
  s3: S3Client;
  sts: STSClient;
  logger: Logger;
  /** For the preview domain's check (with input preview-domain). */
  cloudfront?: () => CloudFrontClient;
}

export interface BootstrapOutcome {
  /** What was changed (or, in a dry run, would be). */
  changes: string[];
  applied: boolean;
}

/**
 * `shipline bootstrap`: brings what a deploy needs to the state it needs, reading first and
 * writing only what differs, so a second run sends no write at all. The roles are printed.
 */
export async function runBootstrap(
  inputs: BootstrapInputs,
  deps: BootstrapDeps,
): Promise<BootstrapOutcome> {
  const repositories = [...new Set(Object.values(inputs.containers))];
  if (repositories.length === 0) {
    throw new ConfigurationError(
      'no repositories: give "containers" (NAME=REPOSITORY, usually from the configuration file written by shipline init)',
    );
  }
  const region = await deps.s3.config.region();
  const changes: Change[] = [];
  for (const name of repositories) {
    changes.push(...(await repositoryChanges(deps.ecr, name, inputs["keep-images"])));
  }
  changes.push(
    ...(await bucketPolicyChanges(deps.s3, inputs.bucket, inputs["ledger-prefix"], region)),
  );
  const { logger } = deps;
  if (changes.length === 0) {
    logger.info(
      `${repositories.length} repositories and the bucket policy of ${inputs.bucket} are as a deploy needs them: nothing to change`,
    );
  }
  for (const change of changes) {
    if (inputs["dry-run"]) {
      logger.info(`dry run: would ${change.what}`);
      continue;
    }
    await change.apply();
    logger.info(`done: ${change.what}`);
  }
  const previewDomain = inputs["preview-domain"];
  if (previewDomain && deps.cloudfront) {
    const advice = await previewAliasAdvice(
      deps.cloudfront(),
      inputs["distribution-id"],
      previewDomain,
    );
    if (advice.ok) logger.info(advice.message);
    else logger.warning(advice.message);
  }
  if (!inputs.github && !inputs["circleci-org"]) {
    logger.info(
      "the CI roles: give --github <owner/name> and/or --circleci-org and --circleci-project to print their trust policies and permissions",
    );
  } else {
    const { Account: account = "<account>" } = await deps.sts.send(
      new GetCallerIdentityCommand({}),
    );
    for (const role of roleAdvice(inputs, account, region)) {
      logger.info(
        [
          `role ${role.name}: its ARN goes in ${role.variable}`,
          `trust policy:\n${JSON.stringify(role.trust, null, 2)}`,
          `permissions:\n${JSON.stringify(role.permissions, null, 2)}`,
        ].join("\n"),
      );
    }
  }
  return { changes: changes.map((change) => change.what), applied: !inputs["dry-run"] };
}
