import { ExitCode, ShiplineError } from "./errors";

export type StopSignal = "SIGINT" | "SIGTERM";

/**
 * The run was asked to stop (Ctrl-C, a cancelled CI job). Thrown at the next safe point, after
 * which the caller puts back what its commit rule requires. Exit 130 / 143 as a shell reports a
 * process ended by SIGINT / SIGTERM, so CI systems and scripts see a cancellation, not a failure.
 */
export class CancelledError extends ShiplineError {
  constructor(
    readonly signal: StopSignal,
    message = `stopped by ${signal}`,
  ) {
    super(message, signal === "SIGTERM" ? ExitCode.Terminated : ExitCode.Interrupted);
  }
}

/** The error a cancelled signal carries (or a generic one for a signal aborted elsewhere). */
export function cancellationOf(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new CancelledError("SIGINT");
}

/** The safe-point check: throws the cancellation when the run was asked to stop. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancellationOf(signal);
}

export interface Cancellation {
  readonly signal: AbortSignal;
  /** Removes the handlers: signals behave as before again. */
  dispose(): void;
}

/**
 * Turns SIGINT and SIGTERM into a cancellation token instead of an immediate exit, so a run
 * stops at its next safe point, undoes what it must, releases its lock and then exits itself.
 * A second signal is only acknowledged: the cleanup it would cut short is what keeps the
 * environment consistent (a CI system that cannot wait sends SIGKILL anyway).
 */
export function cancelOnSignals(
  onSignal: (signal: StopSignal, first: boolean) => void,
  target: Pick<NodeJS.Process, "on" | "off"> = process,
): Cancellation {
  const controller = new AbortController();
  const handler = (signal: StopSignal) => {
    const first = !controller.signal.aborted;
    if (first) controller.abort(new CancelledError(signal));
    onSignal(signal, first);
  };
  const onInt = () => handler("SIGINT");
  const onTerm = () => handler("SIGTERM");
  target.on("SIGINT", onInt);
  target.on("SIGTERM", onTerm);
  return {
    signal: controller.signal,
    dispose() {
      target.off("SIGINT", onInt);
      target.off("SIGTERM", onTerm);
    },
  };
}

/**
 * Runs `fn` with SIGINT/SIGTERM turned into its cancellation token, logging what happens; the
 * handlers are removed afterwards, so nothing outside the run changes how signals behave.
 */
export async function whileCancellable<T>(
  logger: { warning(message: string): void },
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const cancellation = cancelOnSignals((signal, first) =>
    logger.warning(
      first
        ? `${signal}: stopping at the next safe point, putting back what this run changed, then releasing the lock`
        : `${signal}: already stopping; the cleanup keeps the environment consistent`,
    ),
  );
  try {
    return await fn(cancellation.signal);
  } finally {
    cancellation.dispose();
  }
}
