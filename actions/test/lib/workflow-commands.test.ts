import * as core from "@actions/core";
import { afterEach, describe, expect, it, vi } from "vitest";
import * as commands from "../../src/lib/workflow-commands";

/** What `fn` writes to stdout, and the exit code it sets. */
function written(fn: () => void): { out: string; exitCode: typeof process.exitCode } {
  let out = "";
  const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  const before = process.exitCode;
  try {
    fn();
    return { out, exitCode: process.exitCode };
  } finally {
    write.mockRestore();
    process.exitCode = before;
  }
}

const MESSAGES = [
  'input "bucket" is required',
  'input "concurrency" must be a whole number from 1 to 64, got "100%"\ninput "x" is required',
  "a\r\nb :: c,d %0A",
  "",
];

describe("the workflow commands an action uses before @actions/core loads", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it.each(MESSAGES)("fail(%j) writes what core.setFailed writes", (message) => {
    expect(written(() => commands.fail(message))).toEqual(written(() => core.setFailed(message)));
  });

  it.each(MESSAGES)("warning and debug (%j) write what core's do", (message) => {
    expect(written(() => commands.warning(message))).toEqual(written(() => core.warning(message)));
    expect(written(() => commands.debug(message))).toEqual(written(() => core.debug(message)));
  });

  it.each([
    ["bucket", "  www-example \n"],
    ["distribution-id", "E1\nE2"],
    ["dry run", "true"],
    ["region", ""],
    ["missing", undefined],
  ])("actionInput(%j) reads what core.getInput reads", (name, value) => {
    const variable = `INPUT_${name.replace(/ /g, "_").toUpperCase()}`;
    if (value !== undefined) vi.stubEnv(variable, value);
    expect(commands.actionInput(name)).toBe(core.getInput(name));
    if (value?.trim()) expect(commands.actionInput(name)).toBe(value.trim());
  });
});
