/**
 * How a new revision is judged against the old one, interval by interval. Rates are fractions
 * (0.05 is 5%), latencies seconds, as CloudWatch reports TargetResponseTime.
 */
export interface AnalysisSettings {
  /** The new target group fails when its 5xx rate is over this, whatever the old one does. */
  maxErrorRate: number;
  /**
   * ... or over `errorRateFactor × the old rate + errorRateFloor`. The floor keeps one stray
   * error from failing a new revision whose old one had none (2 × 0% is 0%).
   */
  errorRateFactor: number;
  errorRateFloor: number;
  /** The new target group fails when its p95 is over `latencyFactor × the old p95 + latencyFloorSeconds`. */
  latencyFactor: number;
  latencyFloorSeconds: number;
  /** Fewer requests than this in an interval is too little to judge (insufficient-data). */
  minRequests: number;
  /** Failing intervals in a row that make the overall verdict failing. */
  consecutiveFailures: number;
}

/**
 * Defaults for an API like the sample app's: a healthy revision answers without 5xx and within
 * tens of milliseconds, and a check-out of a minute carries well over 20 requests under the
 * traffic a progressive rollout sends to it. The latency floor (50 ms) keeps a fast service's
 * noise (2 ms → 4 ms) from reading as a regression.
 */
export const DEFAULT_ANALYSIS_SETTINGS: AnalysisSettings = {
  maxErrorRate: 0.05,
  errorRateFactor: 2,
  errorRateFloor: 0.02,
  latencyFactor: 1.5,
  latencyFloorSeconds: 0.05,
  minRequests: 20,
  consecutiveFailures: 2,
};
