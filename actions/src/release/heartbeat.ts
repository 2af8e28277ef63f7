import type { Clock } from "../lib/clock";
import type { Logger } from "../lib/logger";
import { type HeldLock, LockLostError } from "./lock";

/**
 * Keeps a held lock fresh while a step runs long (a slow gate, a rollback), so only a run that
 * died lets it expire. One failed renewal is weather: the heartbeat tries again at its next beat.
 * The lock counts as lost when another run took it over, or when no renewal succeeded for half
 * the TTL — well before anyone else may take it over, so the run stops while still alone.
 */
export class Heartbeat {
  private lastRenewedAt: number;
  private lostError: LockLostError | undefined;
  private inFlight: Promise<void> | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly lock: Pick<HeldLock, "renew">,
    private readonly settings: { ttlMs: number; clock: Clock; logger: Logger; environment: string },
  ) {
    this.lastRenewedAt = settings.clock.now();
  }

  /** Several beats fit in the tolerated half TTL, so one or two failures never lose the lock. */
  get intervalMs(): number {
    return Math.max(250, this.settings.ttlMs / 6);
  }

  /** Set once the lock is lost; the run must not change anything after that. */
  lost(): LockLostError | undefined {
    return this.lostError;
  }

  /** One renewal; failures are recorded, never thrown. Concurrent calls share one renewal. */
  beat(): Promise<void> {
    this.inFlight ??= this.renew().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  start(): void {
    this.timer = setInterval(() => void this.beat(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.inFlight;
  }

  private async renew(): Promise<void> {
    if (this.lostError) return;
    const { clock, logger, ttlMs, environment } = this.settings;
    try {
      await this.lock.renew();
      this.lastRenewedAt = clock.now();
    } catch (error) {
      if (error instanceof LockLostError) {
        this.lostError = error;
        return;
      }
      const silentFor = clock.now() - this.lastRenewedAt;
      if (silentFor >= ttlMs / 2) {
        this.lostError = new LockLostError(
          `could not renew the lock of environment "${environment}" for ${Math.round(silentFor / 1000)} s, half its TTL (last error: ${(error as Error).message}); stopping before another run may take it over`,
          { cause: error },
        );
        return;
      }
      logger.warning(
        `could not renew the lock (${(error as Error).message}); trying again in ${Math.round(this.intervalMs / 1000)} s`,
      );
    }
  }
}
