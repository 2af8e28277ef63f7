import type { S3Client } from "@aws-sdk/client-s3";
import { Ledger } from "../ledger/releases";
import { readWebRelease } from "../ledger/site";
import { ConfigurationError, quote } from "../lib/errors";
import type { ReleaseRecord } from "../release/record";
import type { Release } from "../web/manifest";

/** Where an environment keeps its ledger and site. */
export interface EnvironmentLedger {
  environment: string;
  bucket: string;
  ledgerPrefix: string;
}

/** A release that may be promoted: its record and its web files as it published them. */
export interface PromotableRelease {
  record: ReleaseRecord;
  web: Release;
}

/**
 * Finds the release to promote in the source environment and checks that it may be: it went live
 * there (so it passed its gate and its web commit point), it is a deploy (a rollback's record
 * names another release: promote that one), and its images and web files are recorded. Reads
 * only; every refusal is a ConfigurationError, raised before anything changes anywhere.
 */
export async function findPromotableRelease(
  s3: S3Client,
  source: EnvironmentLedger,
  wanted: { release?: string | undefined; commit?: string | undefined },
): Promise<PromotableRelease> {
  const ledger = new Ledger(s3, source.bucket, source.ledgerPrefix, source.environment);
  const where = `environment ${quote(source.environment)}`;
  const { commit } = wanted;
  const id =
    wanted.release ??
    (commit ? await newestOfCommit(ledger, commit, where) : undefined) ??
    (await ledger.live())?.value.releaseId;
  if (!id) {
    throw new ConfigurationError(
      `${where} has no live release to promote (give "release", see shipline history --environment ${source.environment})`,
    );
  }
  const record = await ledger.read(id);
  if (!record) {
    throw new ConfigurationError(`${where} has no release ${quote(id)} (see shipline history)`);
  }
  if (commit && !record.commit.startsWith(commit)) {
    throw new ConfigurationError(
      `release ${quote(id)} of ${where} is of commit ${quote(record.commit)}, not ${quote(commit)}`,
    );
  }
  if (record.status !== "live") {
    const why = record.failure ? ` (${record.failure.step}: ${record.failure.message})` : "";
    throw new ConfigurationError(
      `release ${quote(id)} is ${record.status} in ${where}${why}: only a release that went live there, having passed its gate, is promoted`,
    );
  }
  if (record.restores) {
    throw new ConfigurationError(
      `release ${quote(id)} of ${where} is a rollback to ${quote(record.restores)}: promote ${quote(record.restores)} itself`,
    );
  }
  if (Object.keys(record.images).length === 0 || !record.web) {
    throw new ConfigurationError(
      `release ${quote(id)} of ${where} records no ${record.web ? "images" : "web release"}: it cannot be shipped without a build`,
    );
  }
  const web = await readWebRelease(
    s3,
    { bucket: source.bucket, prefix: "", ledgerPrefix: source.ledgerPrefix },
    record.web.releaseId,
  );
  if (!web) {
    throw new ConfigurationError(
      `the web release ${quote(record.web.releaseId)} of ${where} is not in s3://${source.bucket}/${record.web.manifestKey}`,
    );
  }
  return { record, web };
}

/** The newest release of a commit that went live (a deploy, not a rollback to one). */
async function newestOfCommit(ledger: Ledger, commit: string, where: string): Promise<string> {
  const found = (await ledger.history(100)).find(
    (record) => record.commit.startsWith(commit) && record.status === "live" && !record.restores,
  );
  if (!found) {
    throw new ConfigurationError(
      `no release of commit ${quote(commit)} went live in ${where} (see shipline history): it is promoted once it has`,
    );
  }
  return found.id;
}
