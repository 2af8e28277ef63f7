// The whole pipeline on this machine: starts localcloud, creates the stack in it, then ships as a
// push to main would: release 1, release 2, a bad release 3 whose API fails its users (not its
// health checks) and that its canary's analysis rolls back, and a manual rollback to release 1;
// a probe watches the site and the API through the edge the whole time.
//   npx tsx actions/scripts/demo/main.ts           keeps serving until Ctrl-C
//   npx tsx actions/scripts/demo/main.ts --once    exits after the script (1 when a check fails)
//   npx tsx actions/scripts/demo/main.ts --example flask-api
//                                                  examples/flask-api instead of the sample app
import { execFileSync } from "node:child_process";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ListInvalidationsCommand } from "@aws-sdk/client-cloudfront";
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
} from "@aws-sdk/client-ecs";
import { stringify } from "yaml";
import { runCli } from "../../src/cli/program";
import { buildImage } from "../../src/images/build-image";
import { parseBuildImageInputs } from "../../src/images/inputs";
import { ExitCode } from "../../src/lib/errors";
import { TerminalLogger } from "../../src/lib/logger";
import { releaseIdOf, runContext } from "../../src/release/record";
import { sampleContainer, sampleImageInputs } from "../sample-images";
import { type Checks, flaskApiDemo } from "./flask-api";
import { freeDemoNetwork } from "./network";
import { apiCallsBetween, startProbe } from "./probe";
import { clients, createRepositories, createStack, NAMES, registryLogin } from "./stack";

/** The demo runs at a fifth of AWS's pace (health checks, drains, alarm periods). */
const DEMO_TIME_SCALE = 0.2;

const REPO = fileURLToPath(new URL("../../..", import.meta.url));
const { values: args } = parseArgs({
  options: {
    once: { type: "boolean", default: false },
    // One of examples/: released by its own shipline.yml instead of the sample app.
    example: { type: "string" },
    "state-dir": { type: "string", default: join(REPO, ".state/shipline-demo") },
    // The tasks' bridge and subnet (default: the first free lcdN, 198.19.N.0/24). localcloud
    // refuses a bridge another state folder made, so a test run claims its own.
    bridge: { type: "string" },
    subnet: { type: "string" },
  },
});
const STATE = resolve(args["state-dir"] ?? "");
const EXAMPLES = ["flask-api"];
const log = (line: string) => console.log(line);
const timings: [string, number][] = [];

async function timed<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  log(`\n━━ ${what}`);
  try {
    return await fn();
  } finally {
    timings.push([what, Date.now() - started]);
  }
}

async function load<T>(path: string): Promise<T> {
  return (await import(/* @vite-ignore */ join(REPO, path))) as T;
}

interface Cloud {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  env(): Record<string, string>;
  service<T>(name: string): T;
  stop(): Promise<void>;
}

const commit = (() => {
  try {
    return execFileSync("git", ["rev-parse", "HEAD"], { cwd: REPO }).toString().trim();
  } catch {
    return "0000000000000000000000000000000000000000";
  }
})();

async function main(): Promise<number> {
  if (args.example !== undefined && !EXAMPLES.includes(args.example)) {
    console.error(
      `--example: expected one of ${EXAMPLES.join(", ")} (a folder of examples/), got ${JSON.stringify(args.example)}`,
    );
    return ExitCode.BadInput;
  }
  await rm(STATE, { recursive: true, force: true });
  await mkdir(STATE, { recursive: true });
  const { startLocalcloud } = await load<{ startLocalcloud(o: unknown): Promise<Cloud> }>(
    "localcloud/src/index.ts",
  );
  const cloud = await timed("start localcloud", () =>
    startLocalcloud({
      stateDir: join(STATE, "cloud"),
      port: 0,
      timeScale: DEMO_TIME_SCALE,
      taskNetwork:
        args.bridge && args.subnet
          ? { bridge: args.bridge, subnet: args.subnet }
          : freeDemoNetwork(),
    }),
  );
  const stopCloud = () => cloud.stop();
  try {
    // The CLI and the SDK find localcloud the way they find AWS: through the environment.
    Object.assign(process.env, cloud.env(), {
      AWS_REGION: cloud.region,
      // The release guard's heartbeat at the cloud's pace: its alarm periods last a fifth.
      SHIPLINE_RELEASE_HEARTBEAT_MS: String(2000 * DEMO_TIME_SCALE),
    });
    if (args.example === "flask-api") {
      return await report(
        await flaskApiDemo(cloud, { repo: REPO, state: STATE, commit, log, timed }),
      );
    }
    return await pipeline(cloud);
  } finally {
    await stopCloud();
  }
}

async function pipeline(cloud: Cloud): Promise<number> {
  const apiDir = join(STATE, "api");
  const { buildApi } = await load<{ buildApi(o: { outDir: string }): Promise<unknown> }>(
    "app-api/scripts/build-api.ts",
  );
  const { buildWeb } = await load<{ buildWeb(o: Record<string, unknown>): Promise<unknown> }>(
    "app-web/scripts/build.ts",
  );
  const base = await timed("base images and the API bundle", async () => {
    await buildApi({ outDir: apiDir });
    await createRepositories(cloud, [
      "base/node",
      "base/nginx",
      NAMES.apiRepository,
      NAMES.nginxRepository,
    ]);
    const { buildBaseImage } = await load<{
      buildBaseImage(kind: string, cache: string): Promise<{ reference: string; tag: string }>;
    }>("localcloud/src/images/base-image.ts");
    const { pushLayout } = await load<{
      pushLayout(source: string, target: Record<string, string>): Promise<{ digest: string }>;
    }>("localcloud/src/images/push.ts");
    const login = await registryLogin(cloud);
    const pushed: Record<string, string> = {};
    for (const kind of ["node", "nginx"]) {
      const image = await buildBaseImage(kind, join(REPO, ".state", "base-images"));
      const { digest } = await pushLayout(image.reference, {
        ...login,
        repository: `base/${kind}`,
        tag: image.tag,
      });
      pushed[kind] = `${login.registry}/base/${kind}@${digest}`;
    }
    return pushed;
  });
  const nginxTemplates = join(REPO, "nginx/templates");
  const { templateDefaults } = await load<{ templateDefaults: Record<string, string> }>(
    "nginx/src/defaults.ts",
  );

  const stack = await timed(
    "create the stack (ECR, ALB, ECS service, bucket, distribution)",
    async () => {
      const quiet = new TerminalLogger({ out: { write: () => true } as never });
      const build = async (
        image: "api" | "nginx",
        repository: string,
        context: string,
        baseImage: string,
      ) =>
        (
          await buildImage(
            parseBuildImageInputs({
              ...(await sampleImageInputs(image)),
              repository,
              context,
              "base-image": baseImage,
              tags: "bootstrap",
              "source-date-epoch": "1700000000",
            }),
            { logger: quiet, ecr: () => clients(cloud).ecr },
          )
        ).image;
      const images = {
        api: await build("api", NAMES.apiRepository, apiDir, base.node ?? ""),
        nginx: await build("nginx", NAMES.nginxRepository, nginxTemplates, base.nginx ?? ""),
      };
      const created = await createStack(cloud, images, templateDefaults);
      await waitSteady(cloud);
      return created;
    },
  );
  const edge = cloud
    .service<{ edgeUrl(id: string): string }>("cloudfront")
    .edgeUrl(stack.distributionId);

  const configFile = join(STATE, "shipline.yml");
  await writeFile(
    configFile,
    stringify({
      version: 1,
      region: cloud.region,
      environments: {
        production: {
          cluster: stack.cluster,
          service: stack.service,
          // The sample's images as the repository's configuration describes them, pushed to
          // this cloud's repositories from this run's folders and base images.
          containers: {
            api: await sampleContainer("api", {
              repository: NAMES.apiRepository,
              context: apiDir,
              "base-image": base.node,
            }),
            nginx: await sampleContainer("nginx", {
              repository: NAMES.nginxRepository,
              context: nginxTemplates,
              "base-image": base.nginx,
            }),
          },
          bucket: stack.bucket,
          distributions: [stack.distributionId],
          // Releases side by side; going live and rolling back are one write to the store.
          web: { mode: "atomic", "key-value-store": stack.keyValueStore },
          "release-env": ["api:RELEASE_ID"],
          gate: { timeout: "5m", interval: "1s", "healthy-polls": 2, "grace-period": "45s" },
          // Each release is a canary: ECS moves 10% of the traffic to the new revision for a
          // minute (12 s at the demo's pace), then the rest.
          strategy: {
            type: "canary",
            percent: 10,
            "step-bake-time": "1m",
            "bake-time": "0m",
            "alternate-target-group": stack.canary.alternateTargetGroup,
            "production-listener-rule": stack.canary.productionListenerRule,
            role: stack.canary.role,
          },
          // localcloud's load balancer reports its metrics per second: the analysis judges
          // 1-second periods, where AWS's are minutes, and stops at the first failing one (the
          // demo's releases last seconds: two failing periods would be a large share of one).
          // The canary gets about 15 of the probe's calls a second on a quiet machine, fewer on a
          // loaded one: a period counts from 5 requests, so a slow second is still judged.
          analysis: { interval: "1s", "min-requests": 5, "consecutive-failures": 1 },
        },
      },
    }),
  );

  let run = 0;
  // A run as CI would start it; with no GitHub token, so the demo never records deployments on
  // whatever repository the shell's environment names.
  const runEnv = (): NodeJS.ProcessEnv => ({
    ...process.env,
    GITHUB_RUN_ID: String(run),
    GITHUB_SHA: commit,
    GITHUB_ACTOR: "demo",
    GITHUB_TOKEN: "",
  });
  const ship = async (label: string, extra: string[] = []) => {
    run += 1;
    const env = runEnv();
    const id = releaseIdOf(runContext(env, Date.now()));
    const web = join(STATE, `web-${run}`);
    await buildWeb({ outDir: web, basePath: "/", releaseId: id });
    const code = await timed(`${label}: ${id}`, () =>
      runCli(["deploy", "--config", configFile, "--source", web, ...extra], { env }),
    );
    process.exitCode = undefined;
    return { id, code };
  };

  const one = await ship("release 1");
  // From the moment there is a site, every request through the edge must succeed.
  const probe = startProbe(edge);
  const two = await ship("release 2");
  const threeStarted = Date.now();
  const three = await ship("release 3 (bad: health checks pass, every API call answers 500)", [
    "--container-env",
    "api:APP_FAULT=api-errors",
  ]);
  const threeEnded = Date.now();
  run += 1;
  const back = await timed(`manual rollback to ${one.id}`, () =>
    runCli(["rollback", "--config", configFile, "--to", one.id], { env: runEnv() }),
  );
  process.exitCode = undefined;
  const results = await probe.stop();
  const duringThree = apiCallsBetween(results, threeStarted, threeEnded);
  const afterThree = apiCallsBetween(results, threeEnded);
  const share = (part: { total: number; failed: number }) =>
    `${part.failed} of ${part.total} (${((100 * part.failed) / Math.max(1, part.total)).toFixed(2)}%)`;

  const version = (await (await fetch(`${edge}/api/version`)).json()) as { releaseId?: string };
  // The rollback's PutKey is seen by the edge's next request; a bounded while all the same.
  let page = "";
  for (let attempt = 0; attempt < 60 && !page.includes(one.id); attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 500));
    page = await (await fetch(`${edge}/`)).text();
  }
  // What the service and the site serve, against the ledger: in web-mode atomic the site's
  // release is the one the key value store names, though every kept release's pages are there.
  const status = await timed("status", () =>
    runCli(["status", "--config", configFile], { env: runEnv() }),
  );
  process.exitCode = undefined;
  const invalidations =
    (
      await clients(cloud).cloudfront.send(
        new ListInvalidationsCommand({ DistributionId: stack.distributionId }),
      )
    ).InvalidationList?.Quantity ?? 0;
  const checks: [string, boolean, string][] = [
    ["release 1 shipped", one.code === ExitCode.Success, `exit ${one.code}`],
    ["release 2 shipped", two.code === ExitCode.Success, `exit ${two.code}`],
    [
      "release 3 rolled itself back",
      three.code === ExitCode.FailedRolledBack,
      `exit ${three.code}`,
    ],
    [
      "API calls failed during release 3's canary: at most 2%",
      duringThree.total > 0 && duringThree.failed <= 0.02 * duringThree.total,
      share(duringThree),
    ],
    [
      "no API call failed after release 3's rollback",
      afterThree.total > 0 && afterThree.failed === 0,
      share(afterThree),
    ],
    ["manual rollback", back === ExitCode.Success, `exit ${back}`],
    ["API serves release 1", version.releaseId === one.id, `/api/version: ${version.releaseId}`],
    ["SPA serves release 1", page.includes(one.id), `index.html of ${one.id}`],
    ["status: service and site serve one release", status === ExitCode.Success, `exit ${status}`],
    [
      "no failed request through the edge",
      results.failed === 0,
      `${results.failed} of ${results.requests}; ${results.errors.slice(0, 3).join("; ")}`,
    ],
    ["no page with a missing asset", results.brokenPages === 0, `${results.brokenPages}`],
    [
      "no invalidation (web-mode atomic: releases and rollbacks are one PutKey)",
      invalidations === 0,
      `${invalidations} invalidation(s)`,
    ],
  ];
  return report(checks, [
    `\nthe site: ${edge}/  (the API behind it: ${edge}/api/version)`,
    `history:  npx tsx actions/src/cli/main.ts history --config ${configFile}`,
  ]);
}

/** The timings and the checks; unless --once, serves until Ctrl-C. 1 when a check failed. */
async function report(checks: Checks, footer: string[] = []): Promise<number> {
  log("\n━━ timings");
  for (const [what, ms] of timings) log(`${(ms / 1000).toFixed(1).padStart(7)} s  ${what}`);
  log("\n━━ checks");
  for (const [what, ok, detail] of checks) log(`${ok ? "✓" : "✗"} ${what}: ${detail}`);
  for (const line of footer) log(line);
  const failed = checks.filter(([, ok]) => !ok).length;
  if (!args.once) {
    log("\nserving until Ctrl-C");
    await new Promise<void>((resolve) => {
      process.once("SIGINT", () => resolve());
      process.once("SIGTERM", () => resolve());
    });
  }
  return failed === 0 ? 0 : 1;
}

async function waitSteady(cloud: Cloud): Promise<void> {
  const deadline = Date.now() + 240_000;
  for (;;) {
    const service = (
      await clients(cloud).ecs.send(
        new DescribeServicesCommand({ cluster: NAMES.cluster, services: [NAMES.service] }),
      )
    ).services?.[0];
    const [primary, ...others] = service?.deployments ?? [];
    if (others.length === 0 && primary?.rolloutState === "COMPLETED") return;
    if (Date.now() > deadline) {
      // Say why: the service's last events and how its stopped tasks ended.
      const { ecs } = clients(cloud);
      const stopped = await ecs.send(
        new ListTasksCommand({ cluster: NAMES.cluster, desiredStatus: "STOPPED" }),
      );
      const tasks = stopped.taskArns?.length
        ? ((
            await ecs.send(
              new DescribeTasksCommand({
                cluster: NAMES.cluster,
                tasks: stopped.taskArns.slice(0, 5),
              }),
            )
          ).tasks ?? [])
        : [];
      const events = (service?.events ?? []).slice(0, 8).map((event) => `  ${event.message}`);
      const ended = tasks.map(
        (task) =>
          `  task ${task.taskArn?.split("/").pop()}: ${task.stopCode ?? ""} ${task.stoppedReason ?? ""}; ${(task.containers ?? []).map((c) => `${c.name} exit ${c.exitCode ?? "-"} ${c.reason ?? ""}`).join(", ")}`,
      );
      throw new Error(
        [
          "the service did not become steady within 4 minutes",
          "events:",
          ...events,
          "stopped tasks:",
          ...ended,
        ].join("\n"),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

process.exitCode = await main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  return 1;
});
