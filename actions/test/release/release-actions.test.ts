import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { rollbackAction } from "../../src/entries/rollback";
import { ExitCode } from "../../src/lib/errors";
import { inputNames } from "../../src/lib/inputs";
import { TerminalLogger } from "../../src/lib/logger";
import { deploySchema, rollbackSchema } from "../../src/release/inputs";
import { REPO_ROOT } from "../helpers/fixtures";

describe("the deploy and rollback actions", () => {
  it("rollback declares exactly the inputs its entry reads", async () => {
    const action = parse(
      await readFile(join(REPO_ROOT, "actions/rollback/action.yml"), "utf8"),
    ) as {
      inputs: Record<string, unknown>;
      runs: { main: string };
    };
    expect(Object.keys(action.inputs).sort()).toEqual(inputNames(rollbackSchema).sort());
    expect(action.runs.main).toBe("../dist/rollback.mjs");
  });

  it("deploy declares exactly the inputs its entry reads", async () => {
    const action = parse(await readFile(join(REPO_ROOT, "actions/deploy/action.yml"), "utf8")) as {
      inputs: Record<string, unknown>;
    };
    expect(Object.keys(action.inputs).sort()).toEqual(inputNames(deploySchema).sort());
  });

  it("refuses bad input before touching AWS, naming the input", async () => {
    const lines: string[] = [];
    const stream = {
      write: (chunk: string) => lines.push(chunk) > 0,
    } as unknown as NodeJS.WritableStream;
    const env = {
      // What @actions/core reads for inputs: bucket and cluster are missing, no config file.
      INPUT_CONFIG: "",
      INPUT_SERVICE: "web",
    };
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      const code = await rollbackAction(new TerminalLogger({ out: stream, err: stream }), {});
      expect(code).toBe(ExitCode.BadInput);
    } finally {
      process.env = saved;
      process.exitCode = undefined;
    }
    expect(lines.join("")).toMatch(/input "bucket" is required/);
    expect(lines.join("")).toMatch(/input "cluster" is required/);
  });
});
