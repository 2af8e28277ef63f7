import { beforeEach, describe, expect, it, vi } from "vitest";
import { ConfigurationError, ExitCode, TimeoutError } from "../../src/lib/errors";
import { preflightAction } from "../../src/lib/preflight";
import { actions, resetActions } from "../helpers/actions-core";

vi.mock(
  "../../src/lib/workflow-commands",
  async () => (await import("../helpers/actions-core")).workflowCommands,
);

describe("preflightAction", () => {
  beforeEach(() => {
    resetActions();
    process.exitCode = undefined;
  });

  it("good inputs: nothing said (the full run says the warnings), the run follows", async () => {
    const go = await preflightAction((log) => {
      log.warning('input "timeout" is deprecated; use "gate-timeout"');
      return { ok: true };
    });
    expect(go).toBe(true);
    expect(actions.lines).toEqual([]);
    expect(actions.failures).toEqual([]);
    expect(process.exitCode).toBeUndefined();
  });

  it("rejected inputs: the warnings, then the error, with its exit code, and no run", async () => {
    const go = await preflightAction(async (log) => {
      log.warning('input "timeout" is deprecated; use "gate-timeout"');
      throw new ConfigurationError('input "cluster" is required');
    });
    expect(go).toBe(false);
    expect(actions.warnings).toEqual(['input "timeout" is deprecated; use "gate-timeout"']);
    expect(actions.failures).toEqual(['input "cluster" is required']);
    expect(process.exitCode).toBe(ExitCode.BadInput);
    process.exitCode = undefined;
  });

  it("any error of shipline's keeps its exit code", async () => {
    const go = await preflightAction(() => {
      throw new TimeoutError("the event file took too long");
    });
    expect(go).toBe(false);
    expect(process.exitCode).toBe(ExitCode.TimedOut);
    process.exitCode = undefined;
  });

  it("an error that is no verdict on the inputs is left to the full run to report", async () => {
    const go = await preflightAction(() => {
      throw new TypeError("a bug");
    });
    expect(go).toBe(true);
    expect(actions.failures).toEqual([]);
    expect(process.exitCode).toBeUndefined();
  });
});
