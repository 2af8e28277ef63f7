import { isServerError, isThrottlingError, isTransientError } from "@smithy/core/retry";
import { throwIfCancelled } from "./cancel";
import type { Clock } from "./clock";
import { TimeoutError } from "./errors";
import type { Logger } from "./logger";

type SdkError = Parameters<typeof isTransientError>[0];

/**
 * Weather, not a verdict: throttling, 5xx answers and dropped connections, as the SDK itself
 * classifies them ($retryable, HTTP status, throttling codes, ECONNRESET and kin). Anything else
 * (access denied, a missing resource, a bad request) is an answer and is not retried.
 */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof Error) || error.name === "AbortError") return false;
  const sdkError = error as SdkError;
  return isThrottlingError(sdkError) || isTransientError(sdkError) || isServerError(sdkError);
}

/**
 * "HTTP 500 InternalFailure", "ECONNRESET", "ENOTFOUND bucket.example": what the last failure
 * was, for the message; a host that could not be resolved is named, as it is usually a setting.
 */
export function describeFailure(error: unknown): string {
  const { $metadata, name, code, hostname } = error as {
    $metadata?: { httpStatusCode?: number };
    name?: string;
    code?: string;
    hostname?: string;
  };
  const status = $metadata?.httpStatusCode;
  return [status ? `HTTP ${status}` : undefined, code ?? name, hostname].filter(Boolean).join(" ");
}

function formatElapsed(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 120) return `${seconds}s`;
  return `${Math.floor(seconds / 60)}m${seconds % 60 ? `${seconds % 60}s` : ""}`;
}

/** A read kept failing transiently until the step's deadline: exit 3, naming the operation. */
export class RetriesExhaustedError extends TimeoutError {
  constructor(
    readonly operation: string,
    readonly lastError: unknown,
    elapsedMs: number,
  ) {
    super(
      `${operation} kept failing (${describeFailure(lastError)}) for ${formatElapsed(elapsedMs)}; gave up at the step's deadline, and nothing was concluded from the missing answers`,
      { cause: lastError },
    );
  }
}

/** How long a read may keep failing: until the deadline of the step it serves. */
export interface Patience {
  clock: Clock;
  /** Clock time (ms since the epoch) after which a read that still fails is given up. */
  deadline: number;
  /** Cancellation: the wait between attempts ends at once. */
  signal?: AbortSignal;
  /** Told once per failure streak, so a log shows the weather without a line per attempt. */
  logger?: Logger;
  /** Jitter source, 0 ≤ r < 1. */
  random?: () => number;
}

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 15_000;

/**
 * Runs a read, and again after transient failures, with exponential backoff and jitter, until
 * it answers or the deadline passes. The SDK has already retried each call (its own strategy,
 * AWS_MAX_ATTEMPTS and AWS_RETRY_MODE); this outer loop is what lets a poll ride out a burst
 * longer than those attempts. The last attempt happens at the deadline, not before it.
 */
export async function retryTransient<T>(
  operation: string,
  read: () => Promise<T>,
  patience: Patience,
): Promise<T> {
  const { clock, signal } = patience;
  const random = patience.random ?? Math.random;
  let firstFailureAt: number | undefined;
  for (let attempt = 0; ; attempt++) {
    throwIfCancelled(signal);
    try {
      const result = await read();
      if (firstFailureAt !== undefined) {
        patience.logger?.info(`${operation} answers again after ${attempt + 1} attempts`);
      }
      return result;
    } catch (error) {
      if (!isTransient(error)) throw error;
      const now = clock.now();
      firstFailureAt ??= now;
      if (now >= patience.deadline) {
        throw new RetriesExhaustedError(operation, error, now - firstFailureAt);
      }
      if (attempt === 0) {
        patience.logger?.warning(`${operation} failed (${describeFailure(error)}); retrying`);
      }
      // "Equal jitter": at least half the backoff, so retries of many runs spread out and
      // still back off.
      const cap = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt);
      const delay = Math.floor(cap / 2 + random() * (cap / 2));
      await clock.sleep(Math.min(delay, patience.deadline - now), signal);
    }
  }
}
