/**
 * Startup benchmark: how long the committed bundle (actions/dist) takes to turn a user's mistake
 * into an error, against starting Node itself (`node -e 0`), and how big it is.
 *
 *   npx tsx bench/startup/run.ts [--rounds 21]
 *
 * Scenarios: each GitHub Action run as the runner runs it (`node actions/dist/<action>.mjs`,
 * inputs as INPUT_* variables) with a required input missing; the CLI with an input of the wrong
 * type; `shipline --help`. Every run of a scenario is paired with a run of `node -e 0` right before
 * it, so both see the same machine load; the ratio is the median of those pairs' ratios (steadier
 * than median against median on a busy machine). Targets: committed bundle bytes ≤ 8 MB; each
 * ratio ≤ 1.5.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { stat } from "node:fs/promises";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ACTION_ENTRIES } from "../../actions/scripts/build-dist";
import { formatTable } from "../../actions/src/lib/logger";

const REPO_ROOT = resolve(import.meta.dirname, "../..");
const DIST = join(REPO_ROOT, "actions/dist");
const MAX_BUNDLE_BYTES = 8_000_000;
const MAX_RATIO = 1.5;

interface Scenario {
  name: string;
  args: string[];
  env: Record<string, string>;
  /** The exit code the scenario must end with; anything else means the benchmark is broken. */
  exitCode: number;
}

const scenarios: Scenario[] = [
  ...Object.keys(ACTION_ENTRIES).map((action) => ({
    name: `${action} action, inputs missing`,
    args: [join(DIST, `${action}.mjs`)],
    env: {},
    exitCode: 4,
  })),
  {
    name: "shipline publish-web, bad input",
    args: [
      join(DIST, "shipline.mjs"),
      "publish-web",
      "--source",
      "site",
      "--bucket",
      "www",
      "--concurrency",
      "lots",
    ],
    env: {},
    exitCode: 4,
  },
  { name: "shipline --help", args: [join(DIST, "shipline.mjs"), "--help"], env: {}, exitCode: 0 },
];

/** Wall time of one process, from spawn to exit. */
function timeRun(args: string[], env: Record<string, string>, exitCode: number): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: "ignore",
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== exitCode) {
    throw new Error(`${args.join(" ")} exited with ${result.status}, expected ${exitCode}`);
  }
  return ms;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** The bytes of every file under actions/dist that git tracks (source maps are never tracked). */
async function committedBundleBytes(): Promise<{ files: number; bytes: number }> {
  const files = execFileSync("git", ["ls-files", "-z", "actions/dist"], { cwd: REPO_ROOT })
    .toString()
    .split("\0")
    .filter(Boolean);
  let bytes = 0;
  for (const file of files) bytes += (await stat(join(REPO_ROOT, file))).size;
  return { files: files.length, bytes };
}

const { values } = parseArgs({ options: { rounds: { type: "string", default: "31" } } });
const rounds = Number(values.rounds);
const loadAtStart = loadavg()
  .map((value) => value.toFixed(2))
  .join(", ");

const results = scenarios.map((scenario) => {
  const ours: number[] = [];
  const baseline: number[] = [];
  const ratios: number[] = [];
  // One warm-up pair, so the first measured run does not pay for the disk cache.
  timeRun(["-e", "0"], {}, 0);
  timeRun(scenario.args, scenario.env, scenario.exitCode);
  for (let round = 0; round < rounds; round++) {
    const node = timeRun(["-e", "0"], {}, 0);
    const shipline = timeRun(scenario.args, scenario.env, scenario.exitCode);
    baseline.push(node);
    ours.push(shipline);
    ratios.push(shipline / node);
  }
  return { scenario, ours: median(ours), baseline: median(baseline), ratio: median(ratios) };
});

const bundle = await committedBundleBytes();
const ms = (value: number) => `${value.toFixed(1)} ms`;
console.log(
  `Node ${process.version}; medians of ${rounds} runs each, every run paired with a \`node -e 0\` run; ratio = median of the pairs' ratios\n`,
);
console.log(
  formatTable(
    ["scenario", "shipline", "node -e 0", "ratio", `target ≤ ${MAX_RATIO}x`],
    results.map(({ scenario, ours, baseline, ratio }) => [
      scenario.name,
      ms(ours),
      ms(baseline),
      `${ratio.toFixed(2)}x`,
      ratio <= MAX_RATIO ? "meets" : "misses",
    ]),
  ),
);
const worstAction = Math.max(
  ...results
    .filter(({ scenario }) => scenario.name.endsWith("action, inputs missing"))
    .map(({ ratio }) => ratio),
);
const ratioOf = (name: string) => {
  const result = results.find(({ scenario }) => scenario.name === name);
  return result ? result.ratio : Number.NaN;
};
console.log(
  `\ncommitted bundle: ${bundle.bytes} bytes in ${bundle.files} files (${(bundle.bytes / 1e6).toFixed(2)} MB; target ≤ ${MAX_BUNDLE_BYTES / 1e6} MB: ${bundle.bytes <= MAX_BUNDLE_BYTES ? "meets" : "misses"})`,
);
console.log(
  `bad input: slowest action ${worstAction.toFixed(2)}x, CLI ${ratioOf("shipline publish-web, bad input").toFixed(2)}x; --help ${ratioOf("shipline --help").toFixed(2)}x (target ≤ ${MAX_RATIO}x each)`,
);
console.log(
  `load average (1, 5, 15 min): ${loadAtStart} at the start, ${loadavg()
    .map((value) => value.toFixed(2))
    .join(", ")} at the end`,
);
