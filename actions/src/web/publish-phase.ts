import { ExitCode, ShiplineError } from "../lib/errors";

/**
 * What a publish did after its entry points went live (its commit point), each of which can fail
 * without un-publishing the release: the site serves the new release either way.
 */
export type AfterCommitStage = "record" | "invalidate" | "prune";

/** A step after the commit point that failed: the release is live, this part is not done. */
export interface AfterCommitFailure {
  stage: AfterCommitStage;
  error: Error;
}

const STAGE_WORDS: Record<AfterCommitStage, string> = {
  record: "recording the site's manifest",
  invalidate: "invalidating CloudFront",
  prune: "pruning old files",
};

/** One line for a warning or an error: what failed, after the site went live. */
export function describeAfterCommit(failure: AfterCommitFailure): string {
  return `the new site is live, but ${STAGE_WORDS[failure.stage]} failed: ${failure.error.message}`;
}

/**
 * The entry points were half written and putting the previous ones back failed too: the site
 * may serve a mix of two releases until the next publish or rollback.
 */
export class SitePutBackError extends ShiplineError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ExitCode.RollbackFailed, options);
  }
}
