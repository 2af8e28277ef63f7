import { execFile } from "node:child_process";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { readOrbFolder } from "../../scripts/pack-orb";
import { orbSettings } from "../../scripts/write-orb";
import { UNITS } from "../../src/declarations/units";
import { ORB_FOLDER, renderOrb } from "../../src/workflows/orb";
import { packOrb } from "../../src/workflows/orb-pack";
import { REPO_ROOT } from "../helpers/fixtures";

// The CircleCI parser is CommonJS and typed loosely; only these two calls are used.
const circleci = createRequire(import.meta.url)("@circleci/circleci-config-parser") as {
  parseConfig(text: string): { jobs: { name: string }[] };
  Validator: { validateGenerable(kind: string, input: unknown): true | { errors?: unknown } };
};

interface Orb {
  version: number;
  commands: Record<
    string,
    {
      parameters: Record<string, { type: string }>;
      steps: { run: { environment: Record<string, string>; command: string } }[];
    }
  >;
  jobs: Record<string, { steps: unknown[] }>;
  executors: Record<string, unknown>;
  examples: Record<string, { usage: unknown }>;
}

let files: Record<string, string> = {};
let orb: Orb;
let work = "";

beforeAll(async () => {
  files = await readOrbFolder(join(REPO_ROOT, ORB_FOLDER));
  orb = packOrb(files).orb as unknown as Orb;
  work = await mkdtemp(join(tmpdir(), "shipline-orb-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/**
 * CircleCI's orb and config share the schema of commands, executors and jobs: the orb's, put in a
 * config with a job calling every command and a workflow running every job, is checked by
 * CircleCI's own parser (which resolves each command, executor and job reference) and schema.
 */
function configOf(packed: Orb) {
  return {
    version: 2.1,
    executors: packed.executors,
    commands: packed.commands,
    jobs: {
      ...packed.jobs,
      "every-command": {
        executor: "default",
        steps: Object.keys(packed.commands).map((name) => ({ [name]: {} })),
      },
    },
    workflows: { all: { jobs: [...Object.keys(packed.jobs), "every-command"] } },
  };
}

describe("the CircleCI orb", () => {
  it("orb/ is what the declarations give (run: npx tsx actions/scripts/write-orb.ts)", async () => {
    expect(files).toEqual(renderOrb(await orbSettings()));
  });

  it("has a command per action, named like it, and the deploy and rollback jobs", () => {
    const actions = UNITS.flatMap((unit) => (unit.action ? [unit.action] : []));
    expect(actions.length).toBeGreaterThanOrEqual(7);
    for (const action of actions) expect(Object.keys(orb.commands)).toContain(action);
    expect(Object.keys(orb.jobs).sort()).toEqual(["deploy", "rollback"]);
    // Only an orb's keys at the top.
    expect(
      Object.keys(orb).filter(
        (key) =>
          ![
            "version",
            "description",
            "display",
            "orbs",
            "commands",
            "jobs",
            "executors",
            "examples",
          ].includes(key),
      ),
    ).toEqual([]);
  });

  it("packs into one orb that CircleCI's config schema and parser accept", () => {
    const { text } = packOrb(files);
    const config = configOf(orb);
    expect(circleci.Validator.validateGenerable("config", config)).toBe(true);
    const parsed = circleci.parseConfig(stringify(config));
    expect(parsed.jobs.map((job) => job.name).sort()).toEqual([
      "deploy",
      "every-command",
      "rollback",
    ]);
    expect(text.length).toBeGreaterThan(1000);
    expect(circleci.Validator.validateGenerable("config", orb.examples.deploy?.usage)).toBe(true);
  });

  it("the checks catch a broken orb: a job calling a missing command, a bad parameter type", () => {
    const renamed = structuredClone(orb);
    const deploy = renamed.commands.deploy;
    if (!deploy) throw new Error("no deploy command");
    renamed.commands = { ...renamed.commands, "deploy-x": deploy };
    delete (renamed.commands as Record<string, unknown>).deploy;
    expect(() => circleci.parseConfig(stringify(configOf(renamed)))).toThrow(/deploy/);
    const badType = structuredClone(orb);
    const bucket = badType.commands.deploy?.parameters.bucket;
    if (bucket) bucket.type = "text";
    expect(circleci.Validator.validateGenerable("config", configOf(badType))).not.toBe(true);
  });

  it("a command's step turns its parameters into the CLI's flags, values never part of the script", async () => {
    // A stand-in npx prints the arguments it was given, one per line.
    await writeFile(join(work, "npx"), '#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\n');
    await chmod(join(work, "npx"), 0o755);
    const step = orb.commands.deploy?.steps[0]?.run;
    if (!step) throw new Error("no deploy step");
    const values: Record<string, string> = {
      "shipline-version": "0.1.0",
      bucket: "site $(touch pwned)",
      images: "api=r/api@sha256:aa\n\nnginx=r/nginx@sha256:bb",
      "dry-run": "true",
      "gate-timeout": "",
    };
    const environment = Object.fromEntries(
      Object.entries(step.environment).map(([name, value]) => {
        const parameter = /<< parameters\.([a-z-]+) >>/.exec(value)?.[1] ?? "";
        return [
          name,
          values[parameter] ??
            (orb.commands.deploy?.parameters[parameter]?.type === "boolean" ? "false" : ""),
        ];
      }),
    );
    const { stdout } = await promisify(execFile)("bash", ["-c", step.command], {
      cwd: work,
      env: { ...environment, PATH: `${work}${delimiter}${process.env.PATH ?? ""}` },
    });
    expect(stdout.trim().split("\n")).toEqual([
      "--yes",
      "shipline@0.1.0",
      "deploy",
      "--bucket",
      "site $(touch pwned)",
      "--dry-run",
      "--images",
      "api=r/api@sha256:aa",
      "--images",
      "nginx=r/nginx@sha256:bb",
    ]);
  });
});
