import { describe, expect, it } from "vitest";
import { ConfigurationError } from "../../src/lib/errors";
import {
  boolean,
  duration,
  formatDuration,
  inputSchema,
  integer,
  keyValues,
  list,
  oneOf,
  optionalDuration,
  parseDuration,
  parseInputs,
  text,
} from "../../src/lib/inputs";

const schema = inputSchema({
  name: text(),
  "dry-run": boolean(false),
  timeout: duration(60_000),
  tags: list(),
  builder: oneOf(["oci", "docker"], "oci"),
  retries: integer(3, { min: 0, max: 10 }),
  env: keyValues(),
});

describe("parseInputs", () => {
  it("applies defaults for empty inputs (what core.getInput returns when unset)", () => {
    const inputs = parseInputs(schema, { name: "api", "dry-run": "", timeout: "", tags: "" });
    expect(inputs).toEqual({
      name: "api",
      "dry-run": false,
      timeout: 60_000,
      tags: [],
      builder: "oci",
      retries: 3,
      env: {},
    });
  });

  it("parses booleans, durations, lists and key=value lines", () => {
    const inputs = parseInputs(schema, {
      name: " api ",
      "dry-run": "TRUE",
      timeout: "1m30s",
      tags: "abc123\nlatest, main\n",
      builder: "docker",
      retries: "0",
      env: "A=1\nB=x=y,z\n",
    });
    expect(inputs.name).toBe("api");
    expect(inputs["dry-run"]).toBe(true);
    expect(inputs.timeout).toBe(90_000);
    expect(inputs.tags).toEqual(["abc123", "latest", "main"]);
    expect(inputs.retries).toBe(0);
    expect(inputs.env).toEqual({ A: "1", B: "x=y,z" });
  });

  it("reports every bad input at once, naming the input and quoting the value", () => {
    let error: unknown;
    try {
      parseInputs(schema, {
        "dry-run": "maybe",
        timeout: "soon",
        builder: "kaniko",
        retries: "11",
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const message = (error as Error).message;
    expect(message).toContain('input "name" is required');
    expect(message).toContain('input "dry-run" must be true or false, got "maybe"');
    expect(message).toContain('input "timeout" must be a duration');
    expect(message).toContain('"soon"');
    expect(message).toContain('input "builder" must be one of oci, docker, got "kaniko"');
    expect(message).toContain('input "retries" must be a whole number from 0 to 10, got "11"');
  });
});

describe("parseDuration", () => {
  it.each([
    ["250ms", 250],
    ["30", 30_000],
    ["2m", 120_000],
    ["1h30m", 5_400_000],
    ["5x", undefined],
    ["m5", undefined],
    ["", undefined],
  ])("%s → %s", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
});

describe("duration limits", () => {
  const limited = inputSchema({
    "lock-ttl": duration(30 * 60_000, { minMs: 60_000, maxMs: 24 * 3_600_000 }),
    "grace-period": optionalDuration({ minMs: 0, maxMs: 3_600_000 }),
  });

  it.each([
    ["0", 'input "lock-ttl" must be a duration from 1m to 24h, got "0"'],
    ["59s", 'input "lock-ttl" must be a duration from 1m to 24h, got "59s"'],
    ["25h", 'input "lock-ttl" must be a duration from 1m to 24h, got "25h"'],
  ])("refuses %s, naming the input and the range", (value, message) => {
    expect(() => parseInputs(limited, { "lock-ttl": value })).toThrow(message);
  });

  it("accepts the bounds themselves, and leaves an optional one undefined when not given", () => {
    expect(parseInputs(limited, { "lock-ttl": "1m" })).toEqual({
      "lock-ttl": 60_000,
      "grace-period": undefined,
    });
    expect(parseInputs(limited, { "lock-ttl": "24h", "grace-period": "0" })).toEqual({
      "lock-ttl": 86_400_000,
      "grace-period": 0,
    });
  });
});

describe("formatDuration", () => {
  it.each([
    [250, "250ms"],
    [1_000, "1s"],
    [90_000, "1m30s"],
    [5_400_000, "1h30m"],
  ])("%s → %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(text)).toBe(ms);
  });
});
