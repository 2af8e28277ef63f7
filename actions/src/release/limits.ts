/**
 * The shortest and longest durations a release accepts, wherever they are given (flag, action
 * input, configuration file). A poll interval of 0 spins against the AWS APIs; a lock that
 * expires at once is no lock (another run would take it over mid-deploy), and one shorter than
 * a minute lets one slow renewal lose it.
 */
export const DURATION_LIMITS = {
  "gate-timeout": { minMs: 30_000, maxMs: 12 * 3_600_000 },
  "gate-interval": { minMs: 1_000, maxMs: 5 * 60_000 },
  "grace-period": { minMs: 0, maxMs: 60 * 60_000 },
  "lock-ttl": { minMs: 60_000, maxMs: 24 * 3_600_000 },
  // A smoke check's bound on each response: a page, not a batch job.
  "verify-latency": { minMs: 10, maxMs: 60_000 },
} as const;

export type DurationLimit = (typeof DURATION_LIMITS)[keyof typeof DURATION_LIMITS];
