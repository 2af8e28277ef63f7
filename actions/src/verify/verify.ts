import type { ShiplineConfig } from "../config/schema";
import { ConfigurationError, ExitCode, quote, ShiplineError } from "../lib/errors";
import type { Logger } from "../lib/logger";
import { type CheckResult, runChecks } from "./checks";
import type { VerifyInputs } from "./inputs";

/** A check that did not pass: the job fails (exit 1); nothing was changed to undo. */
export class VerifyFailedError extends ShiplineError {
  constructor(message: string) {
    super(message, ExitCode.FailedRolledBack);
  }
}

/**
 * verify: the environment's `verify:` checks against its URL (the input, else the file's `url`),
 * printed as one table; throws VerifyFailedError naming the checks that failed.
 */
export async function runVerify(
  inputs: VerifyInputs,
  config: ShiplineConfig | undefined,
  file: string | undefined,
  deps: { logger: Logger; fetch?: typeof fetch },
): Promise<CheckResult[]> {
  const settings = config?.environments[inputs.environment];
  if (!config || !file) {
    throw new ConfigurationError(
      'verify reads its checks from the configuration file: give "config" (or SHIPLINE_CONFIG, or add shipline.yml)',
    );
  }
  if (!settings) {
    throw new ConfigurationError(
      `${file}: environments.${inputs.environment}: no such environment (the file has ${Object.keys(
        config.environments,
      )
        .map((name) => quote(name))
        .join(", ")})`,
    );
  }
  if (!settings.verify) {
    throw new ConfigurationError(
      `${file}: environments.${inputs.environment}.verify: no checks configured (add verify: { checks: [{ path: /, assets: true }] })`,
    );
  }
  const url = inputs.url ?? settings.url;
  if (!url) {
    throw new ConfigurationError(
      `no URL to verify ${quote(inputs.environment)} at: give "url" (--url, or url in ${file})`,
    );
  }
  const results = await runChecks(url, settings.verify, deps.fetch ? { fetch: deps.fetch } : {});
  const failed = results.filter((result) => !result.passed);
  await deps.logger.summary({
    title: `Verify ${inputs.environment} at ${url}: ${results.length - failed.length} of ${results.length} passed`,
    headers: ["check", "expected", "got", "ms", "result"],
    rows: results.map((result) => [
      result.what,
      result.expected,
      result.got,
      String(result.ms),
      result.passed ? "pass" : "FAIL",
    ]),
  });
  if (failed.length > 0) {
    throw new VerifyFailedError(
      `${failed.length} check(s) failed on ${inputs.environment}: ${failed
        .map((result) => `${result.what.trim()} (${result.got})`)
        .join("; ")}`,
    );
  }
  return results;
}
