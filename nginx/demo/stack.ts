import { chmod, mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { OutputStream, RunningProcess } from "../src/child-process";
import { availablePort, freePorts } from "../src/free-port";
import { buildApiBundle, buildSpa, localRelease } from "./steps/build-app";
import { type Log, runStep } from "./steps/run-step";
import { startApi } from "./steps/start-api";
import { startEdge } from "./steps/start-edge";
import { startProxy } from "./steps/start-proxy";

export interface StackOptions {
  repoDir: string;
  /** Builds, configs and the embedded database's files go here. */
  stateDir: string;
  /** The port to serve the site on; another free one when taken (0: any). */
  port: number;
  log: Log;
  /** Shows every line the API and both nginx write, prefixed with their name. */
  showProcessOutput: boolean;
  /** Aborting (Ctrl-C) stops the start after the current step. */
  signal?: AbortSignal;
}

export interface Stack {
  url: string;
  webRoot: string;
  /** The task's nginx in front of the API. */
  proxy: RunningProcess;
  /** In start order. */
  processes: RunningProcess[];
  /** Settles when any process ends on its own, with how it ended. */
  unexpectedExit: Promise<string>;
  /** Stops every process, the last started first. */
  stop(): Promise<void>;
}

/**
 * The sample stack on this machine, one step after the other:
 * build the API and the SPA, start the API on its embedded database, the task's
 * nginx in front of it, and an edge that serves the SPA and sends /api/* to nginx.
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const { log, stateDir } = options;
  // Searchable by everyone: nginx's workers run unprivileged and read the site from here.
  await mkdir(stateDir, { recursive: true });
  await chmod(stateDir, 0o755);

  const processes: RunningProcess[] = [];
  let stopping = false;
  const stop = async () => {
    stopping = true;
    for (const running of [...processes].reverse()) await running.stop();
  };
  const onLine = (name: string) => (stream: OutputStream, line: string) => {
    if (options.showProcessOutput)
      log(`${name.padEnd(5)} │ ${stream === "stderr" ? "! " : ""}${line}`);
  };
  const common = { ownProcessGroup: true };
  const step = <T>(title: string, run: () => Promise<T>): Promise<T> =>
    runStep(log, title, run, options.signal);

  try {
    const release = localRelease(options.repoDir);
    const serverFile = await step("build the API bundle", () =>
      buildApiBundle(join(stateDir, "api")),
    );
    const webRoot = await step(`build the SPA (release ${release.id})`, () =>
      buildSpa(join(stateDir, "web"), release),
    );

    // The edge first: it may keep the port it was asked for.
    const edgePort = await availablePort(options.port);
    const [apiPort, proxyPort] = (await freePorts(2)) as [number, number];
    const dataDir = join(stateDir, "data");
    const api = await step(`start the API on 127.0.0.1:${apiPort} (PGlite in ${dataDir})`, () =>
      startApi({
        ...common,
        serverFile,
        port: apiPort,
        dataDir,
        env: { RELEASE_ID: release.id, GIT_COMMIT: release.commit },
        onLine: onLine("api"),
      }),
    );
    processes.push(api);
    const proxy = await step(`start nginx on 127.0.0.1:${proxyPort} in front of the API`, () =>
      startProxy({
        ...common,
        configDir: join(stateDir, "nginx"),
        port: proxyPort,
        apiPort,
        onLine: onLine("nginx"),
      }),
    );
    processes.push(proxy);
    const edge = await step(
      `start the edge on 127.0.0.1:${edgePort}: SPA at /, /api/* to nginx`,
      () =>
        startEdge({
          ...common,
          configDir: join(stateDir, "edge"),
          port: edgePort,
          webRoot,
          origin: `127.0.0.1:${proxyPort}`,
          onLine: onLine("edge"),
        }),
    );
    processes.push(edge);

    const unexpectedExit = Promise.race(
      processes.map(async (running) => {
        const how = await running.exited;
        if (!stopping) return how;
        // Stopping on purpose: never settle.
        return new Promise<string>(() => {});
      }),
    );
    return {
      url: `http://127.0.0.1:${edgePort}/`,
      webRoot,
      proxy,
      processes,
      unexpectedExit,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
