export type Log = (line: string) => void;

/** Runs one step of the demo and reports it with its duration. */
export async function runStep<T>(
  log: Log,
  title: string,
  run: () => Promise<T>,
  /** Once aborted (Ctrl-C), no further step starts. */
  signal?: AbortSignal,
): Promise<T> {
  signal?.throwIfAborted();
  const started = performance.now();
  log(`→ ${title}`);
  try {
    const value = await run();
    log(`✓ ${title} (${Math.round(performance.now() - started)} ms)`);
    return value;
  } catch (error) {
    log(`✗ ${title}: ${error instanceof Error ? error.message : String(error)}`);
    throw error;
  }
}
