import { type Clock, systemClock } from "../lib/clock";
import { ConfigurationError } from "../lib/errors";
import type { Logger } from "../lib/logger";
import { untilBaked } from "../strategy/alarm-bake";
import { type TrafficGroups, trafficGroups, triggeredAlarms } from "../strategy/follow-effects";
import { type Delivery, ROLLING } from "../strategy/inputs";
import { planDelivery } from "../strategy/plan";
import { runProgressive } from "../strategy/progressive";
import { formatStrategy, plannedBakeMinutes } from "../strategy/spec";
import { diffTaskDefinitions, formatChange } from "../taskdef/diff";
import { fileDefinition, fileTags, renderFromFile } from "../taskdef/render";
import type { ServiceClients } from "./clients";
import { type CurrentService, readCurrentService } from "./current";
import { type Diagnosis, diagnose } from "./diagnose";
import { checkImagesExist } from "./ecr-images";
import { chooseWaitStrategy, type GateOutcome, runGate, type WaitStrategy } from "./gate";
import { waitForInFlightDeployments } from "./in-flight";
import type { DeployServiceInputs, GateSettings } from "./inputs";
import { lastLogLines } from "./logs";
import { type MigrationResult, runMigration } from "./migrate";
import { describeChanges } from "./plan";
import { migrationContainer, preflight } from "./preflight";
import { bodyOf, renderTaskDefinition, revisionTags } from "./render";
import { pruneRevisions, type Retention, registerIfChanged } from "./revisions";
import { type ArmGuard, isInterruption, returnWithoutWaiting, startDeployment } from "./update";
import type { Failure } from "./verdict";
import type { ProgressView } from "./view";

/** How the rollout ended; each maps to one exit code (see report.ts). */
export type DeployOutcome =
  | "success"
  | "unchanged"
  | "planned"
  | "migration-failed"
  | "rolled-back"
  | "rollback-failed"
  | "not-rolled-back"
  | "timed-out";

export interface RollbackResult {
  /** "shipline" started it with UpdateService; "ecs" means the circuit breaker had already. */
  by: "shipline" | "ecs";
  deploymentId?: string;
  passed: boolean;
  /** Not gated (wait-for-rollback false). */
  awaited: boolean;
  failure?: Failure;
  gate?: GateOutcome;
}

export interface DeployServiceResult {
  outcome: DeployOutcome;
  /** passed, unchanged, planned, migration-failed, or the gate's failure cause. */
  verdict: string;
  cluster: string;
  service: string;
  taskDefinitionArn: string;
  previousTaskDefinitionArn: string;
  registered: boolean;
  changes: string[];
  deploymentId?: string;
  rolledBack: boolean;
  durationMs: number;
  warnings: string[];
  migration?: MigrationResult;
  gate?: GateOutcome;
  rollback?: RollbackResult;
  diagnosis?: Diagnosis;
}

export interface DeployServiceDeps {
  clients: ServiceClients;
  logger: Logger;
  clock?: Clock;
  /** A fresh progress view per gate (a live table on a terminal); log lines by default. */
  view?: () => ProgressView;
  /**
   * For a release: the task definitions its ledger keeps with `keep` releases kept, or undefined
   * while the ledger knows fewer (nothing is deregistered then). Without it, the newest `keep`
   * revisions of the family stay.
   */
  keptRevisions?: (keep: number) => Promise<string[] | undefined>;
  /**
   * Where a failed rollout returns to. A release passes its live release's task definition: the
   * PRIMARY found may be a revision a dead run left behind without passing its gate.
   * Default: the PRIMARY found.
   */
  returnTo?: string;
  /**
   * Cancellation (SIGINT/SIGTERM): the gate stops at once and a started rollout is sent back to
   * the previous task definition before the CancelledError is rethrown.
   */
  signal?: AbortSignal;
  /** Called right before the UpdateService that starts the rollout (never in a dry run). */
  armGuard?: ArmGuard;
}

/** Reads and checks everything before any change; throws ConfigurationError with every problem. */
async function prepare(inputs: DeployServiceInputs, clients: ServiceClients) {
  const delivery = inputs.delivery ?? ROLLING;
  const current = await readCurrentService(clients, inputs.cluster, inputs.service);
  // With a task definition file, the containers and ports to check are the file's.
  const checks = preflight(
    inputs.taskDefinitionFile
      ? {
          ...current,
          taskDefinition: fileDefinition(inputs.taskDefinitionFile, current.taskDefinition),
        }
      : current,
    inputs,
  );
  const images = await checkImagesExist(clients, inputs.images);
  const plan = planDelivery(current.service, delivery);
  const problems = [...checks.problems, ...images.problems, ...plan.problems];
  if (problems.length > 0) {
    throw new ConfigurationError(
      `pre-flight refused the rollout of ${inputs.service} (nothing was changed):\n- ${problems.join("\n- ")}`,
    );
  }
  return { current, delivery, plan, warnings: [...checks.warnings, ...images.warnings] };
}

function gateSettings(
  inputs: DeployServiceInputs,
  current: CurrentService,
  timeoutMs: number,
): GateSettings {
  return {
    pollIntervalMs: inputs.gate.pollIntervalMs,
    healthyPolls: inputs.gate.healthyPolls,
    graceMs: inputs.gate.graceMs ?? (current.service.healthCheckGracePeriodSeconds ?? 0) * 1000,
    timeoutMs,
  };
}

/**
 * Rolls the ECS service to new images, gated on the load balancer's health of the new tasks, and
 * back to the captured PRIMARY definition when the gate fails. Returns the result; report.ts turns
 * it into outputs, the summary and the exit code.
 */
export async function deployService(
  inputs: DeployServiceInputs,
  deps: DeployServiceDeps,
): Promise<DeployServiceResult> {
  const { clients, logger } = deps;
  const clock = deps.clock ?? systemClock;
  const started = clock.now();
  // A deployment ECS has not finished with (a rollback under way) ends before this one starts,
  // and what the service runs is read once it has: the rollback target, the production group.
  await waitForInFlightDeployments(
    clients,
    {
      cluster: inputs.cluster,
      service: inputs.service,
      timeoutMs: inputs.gate.timeoutMs,
      timeoutInput: "gate-timeout",
      pollIntervalMs: inputs.gate.pollIntervalMs,
      dryRun: inputs.dryRun,
    },
    { clock, logger, ...(deps.signal ? { signal: deps.signal } : {}) },
  );
  const { current, delivery, plan, warnings } = await prepare(inputs, clients);
  const progressive = delivery.strategy.name !== "rolling";
  for (const warning of warnings) logger.warning(warning);
  const previous = current.taskDefinition;
  const runningArn = previous.taskDefinitionArn ?? "";
  const previousArn = deps.returnTo || runningArn;
  const file = inputs.taskDefinitionFile;
  const body = file
    ? renderFromFile(file, previous, inputs)
    : renderTaskDefinition(previous, inputs);
  const changes = file
    ? diffTaskDefinitions(bodyOf(previous), body).map(formatChange)
    : describeChanges(previous, body);
  const base = {
    cluster: inputs.cluster,
    service: inputs.service,
    previousTaskDefinitionArn: previousArn,
    changes,
    warnings,
    rolledBack: false,
  };
  logger.info(
    previousArn === runningArn
      ? `${inputs.service}: running ${runningArn} (the rollback target)`
      : `${inputs.service}: running ${runningArn}, which never passed a gate; the rollback target is the live release's ${previousArn}`,
  );
  for (const line of changes) logger.info(`change: ${line}`);
  for (const line of plan.changes) logger.info(`service change: ${line}`);
  const strategy = progressive
    ? { name: `${formatStrategy(delivery.strategy)} by ECS, followed stage by stage`, groups: [] }
    : chooseWaitStrategy(current);

  if (inputs.dryRun) {
    logger.info(
      `dry run: would register a revision${changes.length === 0 ? " only if it differs (it does not)" : ""}, ${inputs.migration ? "run the migration, " : ""}update the service and gate it on ${strategy.name}`,
    );
    return {
      ...base,
      outcome: "planned",
      verdict: "planned",
      taskDefinitionArn: previousArn,
      registered: false,
      durationMs: clock.now() - started,
    };
  }

  const revision = await registerIfChanged(
    clients,
    body,
    previous,
    revisionTags(inputs.commit, { ...fileTags(file), ...inputs.tags }),
  );
  const next = revision.taskDefinition;
  const nextArn = next.taskDefinitionArn ?? "";
  logger.info(
    revision.registered
      ? `registered ${nextArn}`
      : `no new revision: ${nextArn} already has this content`,
  );
  const finish = (
    result: Omit<
      DeployServiceResult,
      keyof typeof base | "durationMs" | "taskDefinitionArn" | "registered"
    > &
      Partial<DeployServiceResult>,
  ): DeployServiceResult => ({
    ...base,
    taskDefinitionArn: nextArn,
    registered: revision.registered,
    durationMs: clock.now() - started,
    ...result,
  });
  if (nextArn === runningArn && nextArn === previousArn) {
    logger.info(`${inputs.service} already runs ${nextArn}: nothing to roll out`);
    return finish({ outcome: "unchanged", verdict: "unchanged" });
  }

  let migration: MigrationResult | undefined;
  if (inputs.migration) {
    migration = await runMigration(
      {
        cluster: inputs.cluster,
        service: current.service,
        taskDefinition: next,
        container: migrationContainer(current, inputs),
        command: inputs.migration.command,
        timeoutMs: inputs.migration.timeoutMs,
        pollIntervalMs: inputs.gate.pollIntervalMs,
      },
      { clients, clock, logger, ...(deps.signal ? { signal: deps.signal } : {}) },
    );
    if (!migration.ok) {
      logger.error(`migration failed: ${migration.reason}; the service was not touched`);
      return finish({ outcome: "migration-failed", verdict: "migration-failed", migration });
    }
  }

  const planned = plan.deploymentConfiguration
    ? { ...current.service, deploymentConfiguration: plan.deploymentConfiguration }
    : current.service;
  const guarded = (await deps.armGuard?.(planned)) ?? plan.deploymentConfiguration;
  const groups = progressive
    ? await readTrafficGroups(clients, current, delivery, logger)
    : undefined;
  const since = new Date(clock.now());
  const deployment = {
    id: await startDeployment(
      clients,
      inputs.cluster,
      inputs.service,
      nextArn,
      guarded,
      plan.loadBalancers,
    ),
  };
  logger.info(`updated ${inputs.service}: deployment ${deployment.id}`);
  if (progressive) {
    const settings = gateSettings(inputs, current, inputs.gate.timeoutMs);
    const bakeMinutes = plannedBakeMinutes(
      delivery.strategy,
      delivery.bakeMinutes ?? current.service.deploymentConfiguration?.bakeTimeInMinutes ?? 0,
    );
    const result = await runProgressive({
      clients,
      clock,
      logger,
      ...(deps.signal ? { signal: deps.signal } : {}),
      cluster: inputs.cluster,
      service: inputs.service,
      delivery,
      ...(groups ? { groups } : {}),
      since,
      gate: settings,
      followTimeoutMs: settings.timeoutMs + bakeMinutes * 60_000,
      wait: oldRevisionWait(current, groups),
      previousArn,
      nextArn,
      containers: next.containerDefinitions ?? [],
    });
    const common = { deploymentId: deployment.id, ...(migration ? { migration } : {}) };
    if (result.passed) {
      await pruneAfterSuccess(
        inputs.keepRevisions,
        next.family ?? "",
        [nextArn, previousArn, runningArn],
        deps,
      );
      return finish({ outcome: "success", verdict: "passed", ...common });
    }
    const failure = result.failure as Failure;
    const passed = result.rollback === "succeeded";
    return finish({
      outcome: !passed
        ? "rollback-failed"
        : failure.cause === "timed-out"
          ? "timed-out"
          : "rolled-back",
      verdict: failure.cause,
      ...common,
      ...(result.diagnosis ? { diagnosis: result.diagnosis } : {}),
      rolledBack: passed,
      rollback: {
        by:
          failure.cause === "analysis-failed" || failure.cause === "timed-out" ? "shipline" : "ecs",
        passed,
        awaited: true,
        ...(result.rollbackGate ? { gate: result.rollbackGate } : {}),
        ...(!passed
          ? {
              failure: {
                cause: "rollout-failed" as const,
                message: `ECS's rollback ended ${result.follow.result === "succeeded" ? "" : (result.follow.rollback ?? "unfinished")}${result.rollbackGate?.failure ? `; the old revision: ${result.rollbackGate.failure.message}` : ""}`,
              },
            }
          : {}),
      },
    });
  }
  const knownEventIds = (current.service.events ?? []).flatMap((event) => event.id ?? []);
  const gated = await runGate({
    clients,
    clock,
    logger,
    cluster: inputs.cluster,
    service: inputs.service,
    strategy,
    settings: gateSettings(inputs, current, inputs.gate.timeoutMs),
    deploymentId: deployment.id,
    rollbackTarget: previousArn,
    healthChecked: (next.containerDefinitions ?? []).flatMap((c) =>
      c.healthCheck && c.name ? [c.name] : [],
    ),
    knownEventIds,
    ...(deps.view ? { view: deps.view() } : {}),
    ...(deps.signal ? { signal: deps.signal } : {}),
  }).catch((error: unknown) => {
    if (!isInterruption(error)) throw error;
    return returnWithoutWaiting(error, { clients, ...inputs }, previousArn, logger);
  });
  // The user's alarms watch ECS's bake time too: a rollback then is this rollout's failure.
  const gate =
    gated.passed && (delivery.alarms?.length ?? 0) > 0
      ? await untilBaked(gated, {
          clients,
          clock,
          logger,
          cluster: inputs.cluster,
          service: inputs.service,
          strategy,
          pollIntervalMs: inputs.gate.pollIntervalMs,
          timeoutMs: inputs.gate.timeoutMs,
          ...(deps.signal ? { signal: deps.signal } : {}),
        })
      : gated;
  const common = { deploymentId: deployment.id, gate, ...(migration ? { migration } : {}) };
  if (gate.passed) {
    await pruneAfterSuccess(
      inputs.keepRevisions,
      next.family ?? "",
      [nextArn, previousArn, runningArn],
      deps,
    );
    return finish({ outcome: "success", verdict: "passed", ...common });
  }

  const failure = await namingAlarms(
    gate.failure as Failure,
    clients,
    inputs,
    since,
    current.service.deploymentConfiguration?.alarms?.enable === true ||
      delivery.alarms !== undefined,
  );
  const containers = next.containerDefinitions ?? [];
  // The rollback starts at once; the diagnosis (logs to read) is worked out meanwhile.
  const diagnosing = diagnose(
    failure,
    gate.last,
    gate.events,
    (taskId, name) =>
      lastLogLines(
        clients,
        containers.find((c) => c.name === name),
        taskId,
      ),
    gate.lastUnhealthy,
  );
  const [rollback, diagnosis] = await Promise.all([
    rollBack({
      inputs,
      deps: { clients, logger, clock, ...(deps.signal ? { signal: deps.signal } : {}) },
      current,
      returnTo: previousArn,
      failure,
      gate,
      knownEventIds: [...knownEventIds, ...gate.last.events.map((event) => event.id)],
      ...(deps.view ? { view: deps.view } : {}),
    }),
    diagnosing,
  ]);
  const outcome: DeployOutcome = !rollback
    ? "not-rolled-back"
    : !rollback.passed
      ? "rollback-failed"
      : failure.cause === "timed-out"
        ? "timed-out"
        : "rolled-back";
  return finish({
    outcome,
    verdict: failure.cause,
    ...common,
    diagnosis,
    rolledBack: rollback?.passed === true,
    ...(rollback ? { rollback } : {}),
  });
}

/** Deregisters what the retention does not keep; a failure only warns: the rollout succeeded. */
async function pruneAfterSuccess(
  keep: number,
  family: string,
  protect: string[],
  deps: DeployServiceDeps,
): Promise<void> {
  if (keep <= 0) return;
  try {
    const referenced = deps.keptRevisions ? await deps.keptRevisions(keep) : undefined;
    if (deps.keptRevisions && !referenced) {
      deps.logger.info(`fewer than ${keep} releases are kept yet: no revision is deregistered`);
      return;
    }
    const retention: Retention = referenced ? { referenced } : { newest: keep };
    await pruneRevisions(deps.clients, family, retention, protect, deps.logger);
  } catch (error) {
    deps.logger.warning(`could not deregister old revisions: ${(error as Error).message}`);
  }
}

/**
 * Returns the service to the captured definition and gates that the same way. When ECS's
 * circuit breaker already rolled back, its rollback deployment is gated instead of starting
 * another. Someone else's newer deployment is never rolled back over. Undefined: not rolled back.
 */
async function rollBack(options: {
  inputs: DeployServiceInputs;
  deps: Required<Pick<DeployServiceDeps, "clients" | "logger" | "clock">> &
    Pick<DeployServiceDeps, "signal">;
  current: CurrentService;
  returnTo: string;
  failure: Failure;
  gate: GateOutcome;
  knownEventIds: string[];
  view?: () => ProgressView;
}): Promise<RollbackResult | undefined> {
  const { inputs, deps, current, failure, gate } = options;
  const { clients, logger, clock } = deps;
  const previousArn = options.returnTo;
  if (failure.cause === "superseded") {
    logger.error("another deployment replaced this one: not rolling back over it");
    return undefined;
  }
  let by: RollbackResult["by"] = "shipline";
  let deploymentId: string | undefined;
  const primary = gate.last.deployments.find((d) => d.status === "PRIMARY");
  // ECS's own rollback happens whatever the rollback input says: check it the same way. It
  // returns to the last completed deployment, which is not always the target: then ours goes on.
  const ecsRollback =
    (failure.cause === "rolled-back-by-ecs" || failure.cause === "alarm") &&
    primary?.taskDefinition === previousArn;
  if (!inputs.rollback && !ecsRollback) {
    logger.error(`rollback is off: ${inputs.service} stays on the failed deployment`);
    return undefined;
  }
  if (ecsRollback && primary) {
    by = "ecs";
    deploymentId = primary.id;
    logger.info(`ECS is already rolling back (deployment ${primary.id}); checking it`);
  } else {
    logger.info(`rolling back ${inputs.service} to ${previousArn}`);
    deploymentId = await startDeployment(clients, inputs.cluster, inputs.service, previousArn);
  }
  if (!deploymentId)
    return {
      by,
      passed: false,
      awaited: false,
      failure: { cause: "deployment-gone", message: "the rollback started no deployment" },
    };
  if (!inputs.waitForRollback) return { by, deploymentId, passed: true, awaited: false };
  const rollbackGate = await runGate({
    clients,
    clock,
    logger,
    cluster: inputs.cluster,
    service: inputs.service,
    strategy: chooseWaitStrategy(current),
    settings: gateSettings(inputs, current, inputs.rollbackTimeoutMs),
    deploymentId,
    knownEventIds: options.knownEventIds,
    ...(options.view ? { view: options.view() } : {}),
    // Cancelled meanwhile: the way back is already under way, stop watching it.
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  return {
    by,
    deploymentId,
    awaited: true,
    passed: rollbackGate.passed,
    gate: rollbackGate,
    ...(rollbackGate.failure ? { failure: rollbackGate.failure } : {}),
  };
}

/** Where production traffic is before the deployment; undefined (analysis off) when unreadable. */
async function readTrafficGroups(
  clients: ServiceClients,
  current: CurrentService,
  delivery: Delivery,
  logger: Logger,
): Promise<TrafficGroups | undefined> {
  const entry = current.service.loadBalancers?.[0];
  const rule = delivery.routing.productionListenerRule;
  const alternate =
    entry?.advancedConfiguration?.alternateTargetGroupArn ?? delivery.routing.alternateTargetGroup;
  if (!entry?.targetGroupArn || !rule || !alternate) return undefined;
  const pair: [string, string] =
    alternate === entry.targetGroupArn && delivery.routing.alternateTargetGroup
      ? [entry.targetGroupArn, entry.advancedConfiguration?.alternateTargetGroupArn ?? alternate]
      : [entry.targetGroupArn, alternate];
  try {
    const groups = await trafficGroups(clients, rule, pair);
    logger.info(
      `production traffic goes to ${groups.oldTargetGroup}; the new revision starts in ${groups.newTargetGroup}`,
    );
    return groups;
  } catch (error) {
    logger.warning(
      `analysis: off, the production listener rule could not be read (${(error as Error).message})`,
    );
    return undefined;
  }
}

/** After a rollback the old revision serves from the group production traffic went to before. */
function oldRevisionWait(current: CurrentService, groups: TrafficGroups | undefined): WaitStrategy {
  // ECS has already put the old revision back: its tasks' health decides, not a rollout to come.
  const { awaitsRollout: _, ...usual } = chooseWaitStrategy(current);
  if (!groups) return usual;
  const group = usual.groups[0];
  if (!group || group.targetGroupArn === groups.oldTargetGroup) return usual;
  return {
    name: `target health in ${groups.oldTargetGroup}`,
    groups: [{ ...group, targetGroupArn: groups.oldTargetGroup, name: groups.oldTargetGroup }],
  };
}

/**
 * A rolling deployment ECS rolled back while deployment alarms were on: when an alarm did it,
 * the failure names the alarm (ECS says so in the service deployment), exit 1 all the same.
 */
async function namingAlarms(
  failure: Failure,
  clients: ServiceClients,
  inputs: DeployServiceInputs,
  since: Date,
  alarmsOn: boolean,
): Promise<Failure> {
  if (failure.cause !== "rolled-back-by-ecs" || !alarmsOn) return failure;
  const alarms = await triggeredAlarms(
    clients,
    inputs.cluster,
    inputs.service,
    new Date(since.getTime() - 1000),
  );
  if (alarms.length === 0) return failure;
  return {
    ...failure,
    cause: "alarm",
    message: `ECS rolled the deployment back: CloudWatch alarm${alarms.length > 1 ? "s" : ""} ${alarms.join(", ")} in ALARM (${failure.message})`,
  };
}
