import { PROMOTE_IMAGE } from "../images/promote-declaration";
import { ciDefaults, mergeRawInputs } from "../lib/ci-context";
import type { UnitDeclaration } from "../lib/declaration";
import type { RawInputs } from "../lib/inputs";
import type { Logger } from "../lib/logger";
import { DEPLOY, HISTORY, ROLLBACK, STATUS, UNLOCK } from "../release/declarations";
import { DEPLOY_SERVICE } from "../service/declaration";
import { INVALIDATE } from "../web/invalidate-declaration";
import { PUBLISH_WEB } from "../web/publish-declaration";
import { type FlagSpec, flagsOf, flagsToRawInputs } from "./flags";

/**
 * How a command whose flags are exactly its unit's inputs turns them into typed inputs. Its
 * commander action and the quick rejection of bad inputs (quick.ts) both read them here, so
 * both give the same inputs the same answer. Without commander; each parser loads when used.
 */
export interface CommandInputs<T> {
  readonly flags: FlagSpec[];
  /** Parsed flags (keyed as commander keys them) → validated inputs, or a ConfigurationError. */
  read(
    options: Record<string, unknown>,
    env: NodeJS.ProcessEnv,
    logger?: Pick<Logger, "warning">,
  ): Promise<T>;
}

function commandInputs<T>(
  unit: UnitDeclaration,
  parse: (raw: RawInputs, env: NodeJS.ProcessEnv) => Promise<T>,
): CommandInputs<T> {
  const flags = flagsOf(unit);
  return {
    flags,
    read: (options, env, logger) => parse(flagsToRawInputs(options, flags, logger), env),
  };
}

/** The configuration file's environment under the flags (deploy, rollback, history, status, unlock). */
async function withEnvironment(raw: RawInputs, env: NodeJS.ProcessEnv): Promise<RawInputs> {
  return (await import("../config/resolve")).environmentRawInputs(raw, env);
}

export const publishWebInputs = commandInputs(PUBLISH_WEB, async (raw, env) =>
  (await import("../web/inputs")).parsePublishWebInputs(mergeRawInputs(ciDefaults(env), raw)),
);

export const invalidateInputs = commandInputs(INVALIDATE, async (raw, env) =>
  (await import("../web/invalidate-inputs")).parseInvalidateInputs(
    mergeRawInputs(ciDefaults(env), raw),
  ),
);

export const promoteInputs = commandInputs(PROMOTE_IMAGE, async (raw) =>
  (await import("../images/promote-inputs")).parsePromoteImageInputs(raw),
);

export const deployServiceInputs = commandInputs(DEPLOY_SERVICE, async (raw, env) => {
  const [{ commitDefault }, { parseDeployServiceInputs }] = await Promise.all([
    import("../entries/deploy-service"),
    import("../service/inputs"),
  ]);
  return parseDeployServiceInputs(mergeRawInputs(commitDefault(env), raw));
});

export const deployInputs = commandInputs(DEPLOY, async (raw, env) =>
  (await import("../release/inputs")).parseDeployInputs(await withEnvironment(raw, env)),
);

export const rollbackInputs = commandInputs(ROLLBACK, async (raw, env) =>
  (await import("../release/inputs")).parseRollbackInputs(await withEnvironment(raw, env)),
);

export const historyInputs = commandInputs(HISTORY, async (raw, env) =>
  (await import("../release/inputs")).parseHistoryInputs(await withEnvironment(raw, env)),
);

export const statusInputs = commandInputs(STATUS, async (raw, env) =>
  (await import("../release/inputs")).parseStatusInputs(await withEnvironment(raw, env)),
);

export const unlockInputs = commandInputs(UNLOCK, async (raw, env) =>
  (await import("../release/inputs")).parseUnlockInputs(await withEnvironment(raw, env)),
);

/** The commands quick.ts may answer, by name. */
export const COMMAND_INPUTS: Record<string, CommandInputs<unknown>> = {
  "publish-web": publishWebInputs,
  invalidate: invalidateInputs,
  promote: promoteInputs,
  "deploy-service": deployServiceInputs,
  deploy: deployInputs,
  rollback: rollbackInputs,
  history: historyInputs,
  status: statusInputs,
  unlock: unlockInputs,
};
