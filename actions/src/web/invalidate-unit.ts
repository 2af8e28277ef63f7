import type { CloudFrontClient } from "@aws-sdk/client-cloudfront";
import { type Clock, systemClock } from "../lib/clock";
import type { Logger } from "../lib/logger";
import { createInvalidation, waitForInvalidation } from "./invalidate";
import type { InvalidateInputs } from "./invalidate-inputs";
import { callerReference } from "./invalidation-plan";
import { type InvalidationOutcome, invalidationTable } from "./report";

/**
 * Invalidates the given paths on every distribution. With a release id (or the commit) the
 * CallerReference is deterministic, so re-running the job does not invalidate twice.
 */
export async function runInvalidate(
  inputs: InvalidateInputs,
  deps: {
    cloudfront: CloudFrontClient;
    logger: Logger;
    clock?: Clock;
    timings?: { backoffMs?: number; pollMs?: number };
  },
): Promise<InvalidationOutcome[]> {
  const clock = deps.clock ?? systemClock;
  const id = inputs["release-id"] ?? inputs.revision ?? `manual-${clock.now()}`;
  const settings = {
    clock,
    logger: deps.logger,
    deadline: clock.now() + inputs["wait-timeout"],
    ...deps.timings,
  };
  const created = [];
  for (const distributionId of inputs["distribution-id"]) {
    created.push(
      await createInvalidation(
        deps.cloudfront,
        { distributionId, paths: inputs.paths, callerReference: callerReference(id, inputs.paths) },
        settings,
      ),
    );
  }
  const done = inputs.wait
    ? await Promise.all(created.map((item) => waitForInvalidation(deps.cloudfront, item, settings)))
    : created;
  deps.logger.output("invalidation-id", done.map((item) => item.id).join(","));
  deps.logger.output("invalidation-paths", inputs.paths.join(","));
  await deps.logger.summary(invalidationTable(done));
  return done;
}
