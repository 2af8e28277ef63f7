import { afterEach, describe, expect, it } from "vitest";
import { ConfigurationError, ExitCode, TimeoutError } from "../../src/lib/errors";
import { formatTable, TerminalLogger } from "../../src/lib/logger";
import { run } from "../../src/lib/run";

function capture() {
  const lines: string[] = [];
  const stream = {
    write: (chunk: string) => lines.push(chunk),
  } as unknown as NodeJS.WritableStream;
  return { lines, logger: new TerminalLogger({ out: stream, err: stream }) };
}

afterEach(() => {
  process.exitCode = undefined;
});

describe("run", () => {
  it("returns 0 and marks nothing failed on success", async () => {
    const { lines, logger } = capture();
    expect(await run(async () => logger.info("done"), logger)).toBe(ExitCode.Success);
    expect(lines).toEqual(["done\n"]);
  });

  it.each([
    [new ConfigurationError('input "x" is required'), ExitCode.BadInput, 'input "x" is required'],
    [new TimeoutError("waited 5m"), ExitCode.TimedOut, "waited 5m"],
    [new Error("boom"), ExitCode.Bug, "unexpected error"],
  ])("maps %s to its exit code and fails once", async (error, code, text) => {
    const { lines, logger } = capture();
    let failures = 0;
    logger.fail = (message: string) => {
      failures++;
      lines.push(message);
    };
    expect(
      await run(async () => {
        throw error;
      }, logger),
    ).toBe(code);
    expect(process.exitCode).toBe(code);
    expect(failures).toBe(1);
    expect(lines.join("")).toContain(text);
  });
});

describe("TerminalLogger", () => {
  it("masks secrets in every later line", () => {
    const { lines, logger } = capture();
    logger.secret("hunter2");
    logger.info("password is hunter2");
    logger.output("token", "hunter2");
    expect(lines.join("")).not.toContain("hunter2");
    expect(lines.join("")).toContain("password is ***");
  });

  it("aligns table columns", () => {
    expect(formatTable(["a", "bb"], [["xxx", "y"]])).toBe("a    bb\n---  --\nxxx  y");
  });
});
