/**
 * Exit codes shared by every shipline command and action. Scripts and CI systems branch on these,
 * so they are part of the public interface: never renumber them.
 */
export const ExitCode = {
  Success: 0,
  /** The change failed and the previous state was restored. */
  FailedRolledBack: 1,
  /** The change failed and restoring the previous state failed too: a human must look. */
  RollbackFailed: 2,
  /** A wait ran out of time. */
  TimedOut: 3,
  /** The user's input or configuration is wrong; nothing was changed remotely. */
  BadInput: 4,
  /** Anything unexpected: a bug in shipline or in something it talks to. */
  Bug: 70,
  /** Stopped by SIGINT (Ctrl-C) after putting back what had to be; 128 + 2, as shells report it. */
  Interrupted: 130,
  /** Stopped by SIGTERM (a cancelled CI job) after putting back what had to be; 128 + 15. */
  Terminated: 143,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Renders a user-supplied value for an error message, so empty strings and spaces stay visible. */
export function quote(value: unknown): string {
  if (value === undefined) return "(missing)";
  if (typeof value === "string") return JSON.stringify(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Base class for errors that carry their own exit code. */
export class ShiplineError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A mistake the user can fix (bad input, missing repository, wrong platform). The message must
 * quote the bad value and say what was expected. Raised before anything changes remotely.
 */
export class ConfigurationError extends ShiplineError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ExitCode.BadInput, options);
  }
}

/** A wait that ran out of time; the message says what was awaited and for how long. */
export class TimeoutError extends ShiplineError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ExitCode.TimedOut, options);
  }
}

/** A change that failed and was undone: the job fails, but the environment is as before. */
export class RolledBackError extends ShiplineError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ExitCode.FailedRolledBack, options);
  }
}

/** A change that failed and could not be undone. */
export class RollbackFailedError extends ShiplineError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ExitCode.RollbackFailed, options);
  }
}
