import {
  type CloudFrontClient,
  CreateInvalidationCommand,
  GetInvalidationCommand,
} from "@aws-sdk/client-cloudfront";
import type { Clock } from "../lib/clock";
import { ConfigurationError, quote, TimeoutError } from "../lib/errors";
import type { Logger } from "../lib/logger";
import { retryTransient } from "../lib/retry";

export interface InvalidationRequest {
  distributionId: string;
  paths: string[];
  callerReference: string;
}

export interface InvalidationSettings {
  clock: Clock;
  logger: Logger;
  /** Give up (TimeoutError) when CloudFront is still busy or the wait is not over by then (ms). */
  deadline: number;
  /** First backoff on TooManyInvalidationsInProgress; doubles up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** First poll of a wait; doubles up to 10 s. */
  pollMs?: number;
}

export interface CreatedInvalidation {
  distributionId: string;
  id: string;
  paths: string[];
  status: string;
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10}s`;

/**
 * Creates one invalidation. TooManyInvalidationsInProgress means "come back later", so it is
 * retried with a growing delay until the deadline; throttling is retried by the SDK itself.
 * The CallerReference makes every retry, and any re-run, the same invalidation.
 */
export async function createInvalidation(
  cloudfront: CloudFrontClient,
  request: InvalidationRequest,
  settings: InvalidationSettings,
): Promise<CreatedInvalidation> {
  const { clock, logger } = settings;
  let delay = settings.backoffMs ?? 2_000;
  const maxDelay = settings.maxBackoffMs ?? 30_000;
  for (;;) {
    try {
      const created = await cloudfront.send(
        new CreateInvalidationCommand({
          DistributionId: request.distributionId,
          InvalidationBatch: {
            CallerReference: request.callerReference,
            Paths: { Quantity: request.paths.length, Items: request.paths },
          },
        }),
      );
      return {
        distributionId: request.distributionId,
        id: created.Invalidation?.Id ?? "",
        paths: request.paths,
        status: created.Invalidation?.Status ?? "InProgress",
      };
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === "NoSuchDistribution") {
        throw new ConfigurationError(
          `input "distribution-id" ${quote(request.distributionId)}: no such CloudFront distribution`,
          { cause: error },
        );
      }
      if (name !== "TooManyInvalidationsInProgress") throw error;
      const remaining = settings.deadline - clock.now();
      if (remaining <= 0) {
        throw new TimeoutError(
          `CloudFront distribution ${request.distributionId} still had too many invalidations in progress when the wait timed out; nothing was invalidated (re-run to retry: the same invalidation will be created once)`,
          { cause: error },
        );
      }
      logger.info(
        `distribution ${request.distributionId} has too many invalidations in progress; retrying in ${seconds(Math.min(delay, remaining))}`,
      );
      await clock.sleep(Math.min(delay, remaining));
      delay = Math.min(delay * 2, maxDelay);
    }
  }
}

/** Polls until the invalidation completes; a TimeoutError at the deadline, never a hang. */
export async function waitForInvalidation(
  cloudfront: CloudFrontClient,
  invalidation: CreatedInvalidation,
  settings: InvalidationSettings,
): Promise<CreatedInvalidation> {
  const { clock } = settings;
  // Small invalidations finish in seconds: look soon, then less and less often.
  let poll = settings.pollMs ?? 1_000;
  let status = invalidation.status;
  while (status !== "Completed") {
    const remaining = settings.deadline - clock.now();
    if (remaining <= 0) {
      throw new TimeoutError(
        `invalidation ${invalidation.id} of distribution ${invalidation.distributionId} was still ${status} when the wait timed out (it will still complete; the release itself is live)`,
      );
    }
    await clock.sleep(Math.min(poll, remaining));
    poll = Math.min(poll * 2, 10_000);
    const got = await retryTransient(
      "CloudFront GetInvalidation",
      () =>
        cloudfront.send(
          new GetInvalidationCommand({
            DistributionId: invalidation.distributionId,
            Id: invalidation.id,
          }),
          { abortSignal: AbortSignal.timeout(Math.max(1_000, settings.deadline - clock.now())) },
        ),
      { clock, deadline: settings.deadline, logger: settings.logger },
    );
    status = got.Invalidation?.Status ?? status;
  }
  settings.logger.info(
    `invalidation ${invalidation.id} of ${invalidation.distributionId} completed`,
  );
  return { ...invalidation, status };
}
