import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Command, InvalidArgumentError } from "commander";
import { bindDecision } from "./bind-policy";
import { startLocalcloud } from "./cloud";
import { BASE_IMAGE_KINDS, type BaseImageKind } from "./images/base-recipes";
import { cleanupAll } from "./runtime";

/** What a running localcloud leaves in its state folder, so `stop` and scripts can find it. */
interface RunFile {
  pid: number;
  endpoints: Record<string, string>;
  env: Record<string, string>;
}

const runFilePath = (stateDir: string) => join(stateDir, "localcloud.json");

const port = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new InvalidArgumentError(`expected a port number 0-65535, got "${value}"`);
  }
  return n;
};

const program = new Command("localcloud").description(
  "A local AWS stand-in (S3, ECR + registry, ECS, ELBv2, CloudFront, STS) for tests and demos.",
);

program
  .command("start")
  .description("start every service in the foreground; Ctrl-C or `localcloud stop` stops it")
  .option("--state-dir <dir>", "folder for persistent state", ".state/localcloud")
  .option("--host <host>", "interface to listen on", "127.0.0.1")
  .option(
    "--allow-remote",
    "allow a --host other machines can reach (the API's keys are public and tasks run as root)",
    false,
  )
  .option("--port <port>", "port of the AWS API endpoint (0 = any free port)", port, 4566)
  .action(
    async (options: { stateDir: string; host: string; allowRemote: boolean; port: number }) => {
      const bind = bindDecision(options.host, options.allowRemote);
      if (bind.kind === "refused") program.error(bind.message, { exitCode: 2 });
      const stateDir = resolve(options.stateDir);
      const cloud = await startLocalcloud({
        stateDir,
        host: options.host,
        allowNonLoopback: options.allowRemote,
        port: options.port,
      });
      const runFile: RunFile = { pid: process.pid, endpoints: cloud.endpoints, env: cloud.env() };
      writeFileSync(runFilePath(stateDir), JSON.stringify(runFile, null, 2));
      console.log(JSON.stringify({ ready: true, ...runFile }));
      let stopping = false;
      const shutdown = async () => {
        if (stopping) return;
        stopping = true;
        await cloud.stop();
        rmSync(runFilePath(stateDir), { force: true });
        process.exit(0);
      };
      process.on("SIGINT", shutdown);
      process.on("SIGTERM", shutdown);
    },
  );

program
  .command("stop")
  .description("stop the localcloud that runs with this state folder")
  .option("--state-dir <dir>", "folder for persistent state", ".state/localcloud")
  .option("--timeout <seconds>", "how long to wait before giving up", "30")
  .action(async (options: { stateDir: string; timeout: string }) => {
    const stateDir = resolve(options.stateDir);
    const file = runFilePath(stateDir);
    // Whatever a crashed run left of its containers goes too.
    const sweep = async () => {
      const runtimeDir = join(stateDir, "ecs", "runtime");
      if (existsSync(runtimeDir)) await cleanupAll(runtimeDir);
    };
    if (!existsSync(file)) {
      await sweep();
      console.log("localcloud is not running");
      return;
    }
    const { pid } = JSON.parse(readFileSync(file, "utf8")) as RunFile;
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      rmSync(file, { force: true });
      await sweep();
      console.log("localcloud was not running (stale run file removed)");
      return;
    }
    const deadline = Date.now() + Number(options.timeout) * 1000;
    while (Date.now() < deadline) {
      try {
        process.kill(pid, 0);
      } catch {
        console.log("localcloud stopped");
        return;
      }
      await sleep(100);
    }
    console.error(`localcloud (pid ${pid}) did not stop within ${options.timeout}s`);
    process.exitCode = 1;
  });

program
  .command("env")
  .description("print `export` lines for the AWS SDK/CLI to use the running localcloud")
  .option("--state-dir <dir>", "folder for persistent state", ".state/localcloud")
  .action((options: { stateDir: string }) => {
    const file = runFilePath(resolve(options.stateDir));
    if (!existsSync(file)) {
      console.error("localcloud is not running");
      process.exitCode = 1;
      return;
    }
    const { env } = JSON.parse(readFileSync(file, "utf8")) as RunFile;
    for (const [key, value] of Object.entries(env)) console.log(`export ${key}=${value}`);
  });

program
  .command("base-image")
  .description(
    "build a base image (node, nginx or python) from this machine's own runtime as an OCI image layout",
  )
  .argument("<kind>", `one of ${BASE_IMAGE_KINDS.join(", ")}`, (value: string) => {
    if (!(BASE_IMAGE_KINDS as readonly string[]).includes(value)) {
      throw new InvalidArgumentError(`expected one of ${BASE_IMAGE_KINDS.join(", ")}`);
    }
    return value as BaseImageKind;
  })
  .option(
    "--cache <dir>",
    "folder of the built layouts (a second build is a cache hit)",
    ".state/base-images",
  )
  .option(
    "--binary <path>",
    "the runtime to build it around (default: this node, /usr/sbin/nginx, /usr/bin/python3)",
  )
  .action(async (kind: BaseImageKind, options: { cache: string; binary?: string }) => {
    const { buildBaseImage } = await import("./images/base-image");
    const image = await buildBaseImage(kind, resolve(options.cache), {
      ...(options.binary ? { binary: options.binary } : {}),
    });
    // One JSON line: `reference` is skopeo's name for it (skopeo copy <reference> docker://…).
    console.log(JSON.stringify(image));
  });

await program.parseAsync(process.argv);
