import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildBaseImage } from "../../src/images/base-image";
import { pushLayout } from "../../src/images/push";
import { CannotStartContainerError } from "../../src/runtime/errors";
import { type HealthStatus, startHealthCheck } from "../../src/runtime/health-check";
import type { NetworkConfig, TaskNetwork } from "../../src/runtime/network";
import type { PulledImage } from "../../src/runtime/pull";
import { TaskRuntime } from "../../src/runtime/task-runtime";
import { startRegistry, type TestRegistry } from "../helpers/registry";
import {
  BASE_IMAGE_CACHE,
  hostLeftovers,
  requireContainerPrivileges,
  uniqueTestNetwork,
} from "./fixtures";

let registry: TestRegistry;
let stateDir: string;
let network: NetworkConfig;
let runtime: TaskRuntime;
let nodeImage: PulledImage;
const tasks: TaskNetwork[] = [];
const timings: Record<string, number> = {};

async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  timings[label] = Math.round(performance.now() - started);
  return result;
}

async function newTask(): Promise<TaskNetwork> {
  const task = await runtime.createTaskNetwork(`task-${tasks.length + 1}`);
  tasks.push(task);
  return task;
}

/** Polls an HTTP URL until it answers (the server inside needs a moment to listen). */
async function fetchWhenUp(url: string, timeoutMs = 10_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    try {
      return await fetch(url, { signal: AbortSignal.timeout(1_000) });
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

const HTTP_SERVER = `
const http = require("node:http");
http.createServer((req, res) => res.end(JSON.stringify({ path: req.url, from: process.env.WHO })))
  .listen(Number(process.env.PORT), "0.0.0.0", () => console.log("listening on " + process.env.PORT));
`;

beforeAll(async () => {
  await requireContainerPrivileges();
  registry = await startRegistry();
  stateDir = await mkdtemp(join(tmpdir(), "localcloud-runtime-"));
  network = await uniqueTestNetwork();
  const base = await timed("build node base image", () => buildBaseImage("node", BASE_IMAGE_CACHE));
  const { digest } = await timed("push node base image", () =>
    pushLayout(base.reference, {
      registry: registry.host,
      repository: "base/node",
      tag: base.tag,
      username: registry.username,
      password: registry.password,
    }),
  );
  runtime = await TaskRuntime.open({ stateDir, network });
  nodeImage = await timed("pull + unpack node image", () =>
    runtime.pullImage({
      registryUrl: registry.url,
      repository: "base/node",
      reference: digest,
      auth: { username: registry.username, password: registry.password },
    }),
  );
});

afterAll(async () => {
  await runtime?.close();
  await registry?.stop();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
  console.log("runtime timings (ms):", timings);
});

describe("TaskRuntime", () => {
  it("serves HTTP from a container at the task's own address", async () => {
    const task = await newTask();
    expect(task.ip).toMatch(/^198\.18\.\d+\.\d+$/);
    const server = await timed("container start", () =>
      runtime.startContainer({
        name: "web",
        image: nodeImage,
        network: task,
        command: ["node", "-e", HTTP_SERVER],
        environment: { PORT: "8080", WHO: "web" },
      }),
    );
    const response = await fetchWhenUp(`http://${task.ip}:8080/hello`);
    expect(await response.json()).toEqual({ path: "/hello", from: "web" });
    expect(server.logs().map((line) => line.message)).toContain("listening on 8080");
    const status = await server.stop("SIGKILL", 5_000);
    expect(status).toEqual({ exitCode: 137, signal: "SIGKILL" });
  });

  it("lets the containers of one task talk over localhost, and not those of another", async () => {
    const task = await newTask();
    const other = await newTask();
    expect(other.ip).not.toBe(task.ip);
    const server = await runtime.startContainer({
      name: "api",
      image: nodeImage,
      network: task,
      command: ["node", "-e", HTTP_SERVER],
      environment: { PORT: "3000", WHO: "api" },
    });
    await fetchWhenUp(`http://${task.ip}:3000/`);
    const client = (name: string, on: TaskNetwork) =>
      runtime.startContainer({
        name,
        image: nodeImage,
        network: on,
        command: [
          "node",
          "-e",
          `fetch("http://127.0.0.1:3000/from-" + process.env.HOSTNAME).then(r => r.text()).then(
             t => { console.log(t); }, e => { console.error(e.cause?.code ?? e.message); process.exit(7); })`,
        ],
      });
    const sidecar = await client("sidecar", task);
    expect(await sidecar.exited).toEqual({ exitCode: 0 });
    expect(JSON.parse(sidecar.logs()[0]?.message ?? "{}")).toEqual({
      path: `/from-${task.hostname}`,
      from: "api",
    });
    const stranger = await client("stranger", other);
    expect((await stranger.exited).exitCode).toBe(7);
    expect(stranger.logs().map((line) => line.message)).toContain("ECONNREFUSED");
    await server.stop("SIGKILL", 5_000);
  });

  it("reports a failing container's exit code and its output lines with timestamps", async () => {
    const task = await newTask();
    const before = Date.now();
    const failing = await runtime.startContainer({
      name: "migrate",
      image: nodeImage,
      network: task,
      command: [
        "node",
        "-e",
        'console.log("step 1"); console.error("boom: no database"); process.exit(3)',
      ],
    });
    expect(await failing.exited).toEqual({ exitCode: 3 });
    const logs = failing.logs();
    // stdout and stderr are two pipes: lines keep their order within a stream, not across.
    expect(logs.map(({ stream, message }) => ({ stream, message }))).toEqual(
      expect.arrayContaining([
        { stream: "stdout", message: "step 1" },
        { stream: "stderr", message: "boom: no database" },
      ]),
    );
    expect(logs).toHaveLength(2);
    for (const line of logs) expect(line.timestamp).toBeGreaterThanOrEqual(before);
  });

  it("applies environment, working directory and user", async () => {
    const task = await newTask();
    const probe = (user: string | undefined) =>
      runtime.startContainer({
        name: "probe",
        image: nodeImage,
        network: task,
        user,
        workingDirectory: "/srv/app",
        environment: { APP_MODE: "test", NODE_VERSION: "overridden" },
        command: [
          "node",
          "-e",
          "console.log(JSON.stringify({ cwd: process.cwd(), uid: process.getuid(), gid: process.getgid(), mode: process.env.APP_MODE, node: process.env.NODE_VERSION, home: process.env.HOME, path: process.env.PATH }))",
        ],
      });
    const run = async (user: string | undefined) => {
      const container = await probe(user);
      expect(await container.exited).toEqual({ exitCode: 0 });
      return JSON.parse(container.logs()[0]?.message ?? "{}");
    };
    expect(await run("node")).toMatchObject({
      cwd: "/srv/app",
      uid: 1000,
      gid: 1000,
      mode: "test",
      node: "overridden",
      home: "/home/node",
      path: expect.stringContaining("/usr/local/bin"),
    });
    expect(await run("1234:4321")).toMatchObject({ uid: 1234, gid: 4321, home: "/" });
    expect(await run(undefined)).toMatchObject({ uid: 0, gid: 0, home: "/root" });
    await expect(probe("ghost")).rejects.toThrow(CannotStartContainerError);
    await expect(probe("ghost")).rejects.toThrow("unable to find user ghost");
  });

  it("fails to start a container whose executable does not exist, with runc's reason", async () => {
    const task = await newTask();
    const error = await runtime
      .startContainer({
        name: "typo",
        image: nodeImage,
        network: task,
        command: ["nodee", "app.js"],
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CannotStartContainerError);
    expect((error as Error).message).toMatch(
      /^CannotStartContainerError: .*exec: "nodee": executable file not found in \$PATH$/,
    );
    expect(await hostLeftovers(stateDir, network, [])).toMatchObject({
      containers: [],
      mounts: [],
    });
  });

  it("lets a task reach a server the host runs on the bridge address, not on loopback", async () => {
    const task = await newTask();
    const hostServer = createServer((_req, res) => res.end("from the host"));
    await new Promise<void>((resolve) => hostServer.listen(0, runtime.gateway, resolve));
    const { port } = hostServer.address() as AddressInfo;
    try {
      const caller = await runtime.startContainer({
        name: "caller",
        image: nodeImage,
        network: task,
        command: [
          "node",
          "-e",
          `fetch("http://${runtime.gateway}:${port}/").then(r => r.text()).then(console.log, e => { console.error(e.cause?.code); process.exit(1); })`,
        ],
      });
      expect(await caller.exited).toEqual({ exitCode: 0 });
      expect(caller.logs().map((line) => line.message)).toEqual(["from the host"]);
    } finally {
      hostServer.close();
    }
  });

  it("applies a read-only root filesystem and a memory limit", async () => {
    const task = await newTask();
    const readOnly = await runtime.startContainer({
      name: "readonly",
      image: nodeImage,
      network: task,
      readonlyRootFilesystem: true,
      command: ["/bin/sh", "-c", "echo x > /etc/motd || echo refused"],
    });
    expect(await readOnly.exited).toEqual({ exitCode: 0 });
    expect(readOnly.logs().map(({ stream, message }) => ({ stream, message }))).toEqual(
      expect.arrayContaining([
        { stream: "stderr", message: "/bin/sh: 1: cannot create /etc/motd: Read-only file system" },
        { stream: "stdout", message: "refused" },
      ]),
    );
    const hog = (megabytes: number) =>
      runtime.startContainer({
        name: "hog",
        image: nodeImage,
        network: task,
        memoryLimitMiB: 96,
        command: [
          "node",
          "-e",
          `Buffer.alloc(${megabytes} * 1024 * 1024, 1); console.log("allocated")`,
        ],
      });
    const modest = await hog(16);
    expect(await modest.exited).toEqual({ exitCode: 0 });
    const greedy = await hog(256);
    expect(await greedy.exited).toEqual({ exitCode: 137, signal: "SIGKILL" });
  });

  it.each(["overlay", "copy"] as const)(
    "never writes to the cached image rootfs (%s)",
    async (mode) => {
      const task = await newTask();
      // A second runtime on the same state folder and bridge, forcing the fallback for "copy".
      const writerRuntime =
        mode === "overlay"
          ? runtime
          : await TaskRuntime.open({ stateDir, network, cleanupFirst: false, rootfs: "copy" });
      const writer = await writerRuntime.startContainer({
        name: "writer",
        image: nodeImage,
        network: task,
        // The image has no coreutils: shell built-ins only.
        command: [
          "/bin/sh",
          "-c",
          "echo changed > /etc/passwd && : > /usr/local/bin/node && echo done",
        ],
      });
      expect(await writer.exited).toEqual({ exitCode: 0 });
      expect(writer.logs().map((line) => line.message)).toEqual(["done"]);
      expect(writerRuntime.rootfsMode).toBe(mode);
      expect(await readFile(join(nodeImage.rootfs, "etc/passwd"), "utf8")).toContain("node:x:1000");
      expect((await stat(join(nodeImage.rootfs, "usr/local/bin/node"))).size).toBeGreaterThan(
        1_000_000,
      );
    },
  );

  it("stops with SIGTERM, then SIGKILL when the process ignores it", async () => {
    const task = await newTask();
    const start = (script: string) =>
      runtime.startContainer({
        name: "stoppable",
        image: nodeImage,
        network: task,
        command: ["node", "-e", script],
      });
    const polite = await start(
      'process.on("SIGTERM", () => { console.log("bye"); process.exit(0); }); console.log("up"); setInterval(() => {}, 1000);',
    );
    await waitForLine(polite, "up");
    expect(await polite.stop("SIGTERM", 5_000)).toEqual({ exitCode: 0 });
    expect(polite.logs().map((line) => line.message)).toContain("bye");
    // node as PID 1 ignores SIGTERM without a handler, as in any container.
    const stubborn = await start('console.log("up"); setInterval(() => {}, 1000);');
    await waitForLine(stubborn, "up");
    const started = Date.now();
    expect(await stubborn.stop("SIGTERM", 300)).toEqual({ exitCode: 137, signal: "SIGKILL" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });
});

describe("startHealthCheck", () => {
  it("turns HEALTHY when the check passes and UNHEALTHY after `retries` failures", async () => {
    const task = await newTask();
    // The server answers /healthz with 200 until /break is called, then 500.
    const app = await runtime.startContainer({
      name: "app",
      image: nodeImage,
      network: task,
      command: [
        "node",
        "-e",
        `let ok = true; require("node:http").createServer((req, res) => {
           if (req.url === "/break") ok = false;
           res.statusCode = req.url === "/healthz" && !ok ? 500 : 200; res.end();
         }).listen(3000, () => console.log("up"));`,
      ],
    });
    await waitForLine(app, "up");
    const changes: HealthStatus[] = [];
    const monitor = startHealthCheck(
      app,
      {
        command: [
          "CMD-SHELL",
          `node -e 'fetch("http://localhost:3000/healthz").then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))'`,
        ],
        interval: 0.2,
        timeout: 5,
        retries: 2,
      },
      (status) => changes.push(status),
    );
    try {
      expect(monitor.status()).toBe("UNKNOWN");
      await waitFor(() => monitor.status() === "HEALTHY");
      await fetch(`http://${task.ip}:3000/break`);
      await waitFor(() => monitor.status() === "UNHEALTHY");
      expect(changes).toEqual(["HEALTHY", "UNHEALTHY"]);
    } finally {
      monitor.stop();
      await app.stop("SIGKILL", 5_000);
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function waitForLine(
  container: { logs(): Array<{ message: string }> },
  message: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!container.logs().some((line) => line.message === message)) {
    if (Date.now() > deadline) throw new Error(`no "${message}" line within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("cleanup", () => {
  it("removes every container, namespace, veth, bridge and mount, also after a crash", async () => {
    const task = await newTask();
    await runtime.startContainer({
      name: "left-running",
      image: nodeImage,
      network: task,
      command: ["node", "-e", "setInterval(() => {}, 1000)"],
    });
    const during = await hostLeftovers(stateDir, network, tasks);
    expect(during.containers).toHaveLength(1);
    expect(during.namespaces).toContain(task.netnsName);
    expect(during.links).toEqual(expect.arrayContaining([network.bridge, task.hostVeth]));
    expect(during.mounts).toHaveLength(1);
    // A new runtime on the same state folder knows nothing in memory: as after a crash.
    runtime = await TaskRuntime.open({ stateDir, network });
    expect(await hostLeftovers(stateDir, network, tasks)).toEqual({
      containers: [],
      namespaces: [],
      links: [],
      mounts: [],
    });
  });
});
