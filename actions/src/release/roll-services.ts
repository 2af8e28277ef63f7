import { CancelledError } from "../lib/cancel";
import type { Clock } from "../lib/clock";
import { RollbackFailedError, RolledBackError } from "../lib/errors";
import type { Logger } from "../lib/logger";
import type { ServiceClients } from "../service/clients";
import { type DeployServiceDeps, deployService } from "../service/deploy-service";
import type { ImageChange } from "../service/inputs";
import { failureOf } from "../service/report";
import { returnWithoutWaiting } from "../service/update";
import { keyedLogger } from "./keyed-logger";
import type { PlannedService } from "./plan";
import type { ReleaseRecord, ServiceFacts } from "./record";
import { restoreService, type ServiceTarget } from "./restore-service";
import type { ServiceContainers } from "./service-containers";

/** A service the release moved to its new task definition: what undoing the release returns. */
export interface MovedService {
  key: string;
  target: ServiceTarget;
  previousArn: string;
}

export interface RolledServices {
  facts: Record<string, ServiceFacts>;
  /** Every service that runs a new task definition now, all gates passed. */
  moved: MovedService[];
  /** Some service failed and every service was returned: the error the release ends with. */
  error?: Error;
}

interface RollDeps {
  clients: ServiceClients;
  clock: Clock;
  logger: Logger;
  keptRevisions: DeployServiceDeps["keptRevisions"];
  signal?: AbortSignal;
}

/**
 * A release of several services: every service is updated and gated at once (each with its own
 * images, matched by container name), and the release waits for all. When any fails, the one
 * that failed has returned itself (deploy-service's own rollback, gated); every other that moved
 * returns to its live revision, gated too. Exit 1 naming the service(s) that failed and why, or
 * 2 when a return fails.
 */
export async function rollServices(
  services: PlannedService[],
  images: ImageChange[],
  containers: ServiceContainers,
  live: ReleaseRecord | undefined,
  commit: string,
  deps: RollDeps,
): Promise<RolledServices> {
  const { logger } = deps;
  logger.info(`rolling ${services.length} services: ${services.map((s) => s.key).join(", ")}`);
  const settled = await Promise.allSettled(
    services.map(async (service) => {
      const own = containers[service.key] ?? [];
      const returnTo = live?.services?.[service.key]?.taskDefinitionArn;
      return deployService(
        {
          ...service.inputs,
          commit,
          images: images.filter((image) => own.includes(image.container)),
          environment: Object.fromEntries(
            Object.entries(service.inputs.environment).filter(([c]) => own.includes(c)),
          ),
        },
        {
          clients: deps.clients,
          logger: keyedLogger(deps.logger, service.key),
          clock: deps.clock,
          ...(deps.keptRevisions ? { keptRevisions: deps.keptRevisions } : {}),
          ...(returnTo ? { returnTo } : {}),
          ...(deps.signal ? { signal: deps.signal } : {}),
        },
      );
    }),
  );
  const facts: Record<string, ServiceFacts> = {};
  const moved: MovedService[] = [];
  const failed: { key: string; error: Error }[] = [];
  settled.forEach((outcome, index) => {
    const service = services[index] as PlannedService;
    const { cluster, service: name } = service.inputs;
    if (outcome.status === "rejected") {
      const error = outcome.reason as Error;
      failed.push({ key: service.key, error });
      facts[service.key] = { cluster, service: name, failure: error.message };
      return;
    }
    const result = outcome.value;
    const failure = failureOf(result);
    facts[service.key] = {
      cluster,
      service: name,
      taskDefinitionArn: result.taskDefinitionArn,
      previousTaskDefinitionArn: result.previousTaskDefinitionArn,
      ...(failure ? { failure: failure.message } : {}),
    };
    if (failure) failed.push({ key: service.key, error: failure });
    else if (result.previousTaskDefinitionArn !== result.taskDefinitionArn) {
      moved.push({
        key: service.key,
        target: service.restore,
        previousArn: result.previousTaskDefinitionArn,
      });
    }
  });
  if (failed.length === 0) return { facts, moved };
  const why = failed.map(({ key, error }) => `service ${key} failed: ${error.message}`).join("; ");
  const worst = worstOf(failed.map((f) => f.error));
  return { facts, moved: [], error: await undoServices(why, worst, moved, deps) };
}

/** The error whose exit code the release takes: a failed rollback before anything else. */
function worstOf(errors: Error[]): Error {
  return (
    errors.find((e) => e instanceof RollbackFailedError) ??
    errors.find((e) => e instanceof CancelledError) ??
    errors.find((e) => !(e instanceof RolledBackError)) ??
    (errors[0] as Error)
  );
}

/**
 * Returns every moved service to what it ran before (gated, concurrently: an undo that must not
 * be undone), then gives the error the release ends with: exit 1 when all are back, 2 when any
 * return failed or a failed service could not return itself. A cancelled run starts the returns
 * without waiting (it must exit within seconds).
 */
export async function undoServices(
  message: string,
  cause: Error,
  moved: MovedService[],
  deps: Pick<RollDeps, "clients" | "clock" | "logger">,
): Promise<Error> {
  if (cause instanceof CancelledError) {
    const started = await Promise.allSettled(
      moved.map((service) =>
        returnWithoutWaiting(
          cause,
          {
            clients: deps.clients,
            cluster: service.target.cluster,
            service: service.target.service,
          },
          service.previousArn,
          deps.logger,
        ),
      ),
    );
    const refused = started.flatMap((s) =>
      s.status === "rejected" && s.reason instanceof RollbackFailedError ? [s.reason] : [],
    );
    return refused[0] ?? cause;
  }
  if (moved.length > 0) {
    deps.logger.error(
      `${message}; returning ${moved.map((s) => `${s.key} to ${s.previousArn}`).join(", ")}`,
    );
  }
  const returned = await Promise.allSettled(
    moved.map((service) =>
      restoreService({ ...service.target, onInterruption: "stay" }, service.previousArn, {
        ...deps,
        logger: keyedLogger(deps.logger, service.key),
      }),
    ),
  );
  const notBack = returned.flatMap((outcome, index) =>
    outcome.status === "rejected"
      ? [`${moved[index]?.key}: ${(outcome.reason as Error).message}`]
      : [],
  );
  if (notBack.length > 0) {
    return new RollbackFailedError(
      `ROLLBACK FAILED: ${message}; and returning ${notBack.join("; ")}`,
      { cause },
    );
  }
  if (cause instanceof RollbackFailedError) {
    return new RollbackFailedError(`ROLLBACK FAILED: ${message}`, { cause });
  }
  const back = moved.map((s) => s.key);
  return new RolledBackError(
    `${message}${back.length > 0 ? `; ${back.join(", ")} returned to ${back.length === 1 ? "its" : "their"} live revision${back.length === 1 ? "" : "s"}` : ""}; every service runs what it ran before the release`,
    { cause },
  );
}
