// `npm run demo -- --example flask-api`: examples/flask-api released on the running localcloud as
// its own shipline.yml says. Release 1, release 2 with a task definition change (more memory), a
// bad release 3 whose /health answers 500 and rolls itself back; then the checks.
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  type ECSClient,
} from "@aws-sdk/client-ecs";
import { parse, stringify } from "yaml";
import { runCli } from "../../src/cli/program";
import { ExitCode } from "../../src/lib/errors";
import {
  type CloudEndpoint,
  createFlaskApiStack,
  EXAMPLE_DIR,
  FLASK_API,
  writeExampleConfig,
} from "../examples/flask-api";

export interface DemoContext {
  repo: string;
  state: string;
  commit: string;
  log(line: string): void;
  timed<T>(what: string, fn: () => Promise<T>): Promise<T>;
}

/** The checks, each with whether it held and what was seen. */
export type Checks = [string, boolean, string][];

export async function flaskApiDemo(cloud: CloudEndpoint, demo: DemoContext): Promise<Checks> {
  // A demo value: the tasks get it from SSM; shipline never sees it.
  const token = "demo-token";
  const stack = await demo.timed(
    "create the example's stack (ECR with the python-flask base, SSM parameter, bucket, ALB, ECS service)",
    () =>
      createFlaskApiStack(cloud, {
        baseImageCache: join(demo.repo, ".state", "base-images"),
        token,
        // At the demo's pace (1/5): a check every 2 s; ECS waits 12 s before replacing a task.
        healthCheck: { intervalSeconds: 10, timeoutSeconds: 5 },
        gracePeriodSeconds: 60,
      }),
  );
  const config = await writeExampleConfig(join(demo.state, "shipline.yml"), stack, {
    region: cloud.region,
    gate: { "grace-period": "15s", interval: "1s" },
  });

  let run = 0;
  const ship = async (label: string, file: string, extra: string[] = []) => {
    run += 1;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      GITHUB_RUN_ID: String(run),
      GITHUB_SHA: demo.commit,
      GITHUB_ACTOR: "demo",
      GITHUB_TOKEN: "",
    };
    const code = await demo.timed(label, () =>
      runCli(["deploy", "--config", file, ...extra], { env }),
    );
    process.exitCode = undefined;
    return code;
  };

  const one = await ship("release 1", config);
  // Release 2 changes the task definition file: 1024 MiB instead of 512.
  const bigger = JSON.parse(await readFile(join(EXAMPLE_DIR, "ecs/api.json"), "utf8")) as Record<
    string,
    unknown
  >;
  bigger.memory = "1024";
  const biggerFile = join(demo.state, "api-1024.json");
  await writeFile(biggerFile, JSON.stringify(bigger, null, 2));
  const raw = parse(await readFile(config, "utf8")) as {
    environments: { production: Record<string, unknown> };
  };
  raw.environments.production["task-definition"] = biggerFile;
  const configTwo = join(demo.state, "shipline-1024.yml");
  await writeFile(configTwo, stringify(raw));
  const two = await ship("release 2 (task definition: memory 1024)", configTwo);
  const live = await liveTaskDefinition(stack.clients.ecs);
  const three = await ship("release 3 (bad: its /health answers 500)", configTwo, [
    "--container-env",
    "api:HEALTH=fail",
  ]);
  const after = await liveTaskDefinition(stack.clients.ecs);
  const index = (await (await fetch(`${stack.url}/`)).json()) as {
    release?: string;
    apiTokenSha256?: string;
  };
  const health = await fetch(`${stack.url}${FLASK_API.healthPath}`);
  demo.log(`\nthe API: ${stack.url}/  (health: ${stack.url}${FLASK_API.healthPath})`);
  demo.log(`history: npx tsx actions/src/cli/main.ts history --config ${configTwo}`);
  return [
    ["release 1 shipped", one === ExitCode.Success, `exit ${one}`],
    ["release 2 shipped", two === ExitCode.Success, `exit ${two}`],
    ["release 2 runs 1024 MiB", live.memory === "1024", `memory ${live.memory}`],
    [
      "release 3 rolled itself back",
      three === ExitCode.FailedRolledBack && after.arn === live.arn,
      `exit ${three}, service on ${after.arn.split("/").pop()}`,
    ],
    ["/health answers 200", health.status === 200, `HTTP ${health.status}`],
    [
      "the tasks got the token from SSM",
      index.apiTokenSha256 === createHash("sha256").update(token).digest("hex"),
      `release ${index.release}`,
    ],
  ];
}

async function liveTaskDefinition(ecs: ECSClient): Promise<{ arn: string; memory: string }> {
  const described = await ecs.send(
    new DescribeServicesCommand({ cluster: FLASK_API.cluster, services: [FLASK_API.apiService] }),
  );
  const arn = described.services?.[0]?.taskDefinition ?? "";
  const definition = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }));
  return { arn, memory: definition.taskDefinition?.memory ?? "" };
}
