/** Why an image could not be pulled; ECS words all of them as CannotPullContainerError. */
export type PullFailure = "not-found" | "unauthorized" | "unreachable" | "invalid";

/**
 * A failed image pull, with ECS's wording, e.g.
 * `CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref
 * 127.0.0.1:5000/api:v2: 127.0.0.1:5000/api:v2: not found`.
 */
export class CannotPullContainerError extends Error {
  constructor(
    readonly reason: PullFailure,
    readonly imageRef: string,
    detail: string,
  ) {
    super(`CannotPullContainerError: ${detail}`);
    this.name = "CannotPullContainerError";
  }

  static manifest(reason: PullFailure, imageRef: string, cause: string): CannotPullContainerError {
    return new CannotPullContainerError(
      reason,
      imageRef,
      `pull image manifest has been retried 1 time(s): failed to resolve ref ${imageRef}: ${cause}`,
    );
  }
}

/** A container that could not be started (bad user, no command, runc refused it). */
export class CannotStartContainerError extends Error {
  constructor(detail: string) {
    super(`CannotStartContainerError: ${detail}`);
    this.name = "CannotStartContainerError";
  }
}
