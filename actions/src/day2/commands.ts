import { cancelOnSignals } from "../lib/cancel";
import { systemClock } from "../lib/clock";
import type { Logger } from "../lib/logger";
import { forRun } from "../lib/read-only";
import { createServiceClients, type ServiceClients } from "../service/clients";
import { createS3Client } from "../web/clients";
import type { ChangeDeps } from "./change";
import type { LogsInputs, RedeployInputs, RunInputs, ScaleInputs } from "./inputs";
import { runOneOff } from "./one-off";
import { redeploy } from "./redeploy";
import { scale } from "./scale";
import { tailLogs } from "./tail";

/** The real clients; a dry run gets clients that refuse every call that writes. */
function clientsFor(region: string | undefined, env: NodeJS.ProcessEnv, dryRun: boolean) {
  const settings = region ? { region } : {};
  const service = createServiceClients(settings);
  const guarded: ServiceClients = {
    ecs: forRun(service.ecs, dryRun),
    elb: forRun(service.elb, dryRun),
    ecr: forRun(service.ecr, dryRun),
    logs: forRun(service.logs, dryRun),
  };
  return {
    s3: forRun(createS3Client({ ...settings, concurrency: 4 }, env), dryRun),
    service: guarded,
  };
}

/**
 * Runs `fn` with SIGINT/SIGTERM turned into its cancellation, saying what stopping means for
 * this command; the handlers are removed afterwards.
 */
async function cancellable<T>(
  logger: Logger,
  onStop: string,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const cancellation = cancelOnSignals((signal, first) =>
    logger.warning(first ? `${signal}: ${onStop}` : `${signal}: already stopping`),
  );
  try {
    return await fn(cancellation.signal);
  } finally {
    cancellation.dispose();
  }
}

function changeDeps(
  inputs: RedeployInputs,
  logger: Logger,
  env: NodeJS.ProcessEnv,
  signal: AbortSignal,
): ChangeDeps {
  return {
    ...clientsFor(inputs.region, env, inputs["dry-run"]),
    clock: systemClock,
    logger,
    env,
    signal,
  };
}

export function runRedeploy(inputs: RedeployInputs, logger: Logger, env: NodeJS.ProcessEnv) {
  return cancellable(
    logger,
    "stopping the gate, recording the redeployment as cancelled, then releasing the lock (ECS finishes the deployment by itself)",
    (signal) => redeploy(inputs, changeDeps(inputs, logger, env, signal)),
  );
}

export function runScale(inputs: ScaleInputs, logger: Logger, env: NodeJS.ProcessEnv) {
  return cancellable(
    logger,
    "stopping at the next safe point: a scale-up goes back to the previous count, then the lock is released",
    (signal) => scale(inputs, changeDeps(inputs, logger, env, signal)),
  );
}

export function runTask(inputs: RunInputs, logger: Logger, env: NodeJS.ProcessEnv) {
  return cancellable(logger, "stopping the task", (signal) =>
    runOneOff(inputs, {
      service: clientsFor(inputs.region, env, inputs["dry-run"]).service,
      clock: systemClock,
      logger,
      signal,
    }),
  );
}

export function runLogs(inputs: LogsInputs, logger: Logger, env: NodeJS.ProcessEnv) {
  return cancellable(logger, "stopped following", (signal) =>
    tailLogs(inputs, {
      // Reads only, whatever the flags: the guard makes that a property, not a promise.
      service: clientsFor(inputs.region, env, true).service,
      clock: systemClock,
      logger,
      signal,
    }),
  );
}
