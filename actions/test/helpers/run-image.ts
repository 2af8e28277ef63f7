import { type ChildProcess, execFile, spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";

const exec = promisify(execFile);

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === "object" && address ? address.port : 0;
}

export interface RunningImage {
  logs(): string;
  stop(): Promise<void>;
}

/**
 * Runs a pushed image without a Docker engine: skopeo copies it into an OCI layout, umoci unpacks
 * it into a runtime bundle, runc runs it. The container shares the host's network (loopback), so
 * the test reaches it on `port`.
 */
export async function runImage(options: {
  image: string;
  authFile: string;
  work: string;
  name: string;
  env: string[];
}): Promise<RunningImage> {
  const layout = join(options.work, `${options.name}-layout`);
  const bundle = join(options.work, `${options.name}-bundle`);
  await exec("skopeo", [
    "copy",
    "--quiet",
    "--src-tls-verify=false",
    `--src-authfile=${options.authFile}`,
    `docker://${options.image}`,
    `oci:${layout}:run`,
  ]);
  await exec("umoci", ["unpack", "--image", `${layout}:run`, bundle]);
  const configPath = join(bundle, "config.json");
  const config = JSON.parse(await readFile(configPath, "utf8"));
  config.process.terminal = false;
  const names = new Set(options.env.map((entry) => entry.split("=")[0]));
  config.process.env = [
    ...config.process.env.filter((entry: string) => !names.has(entry.split("=")[0])),
    ...options.env,
  ];
  config.linux.namespaces = config.linux.namespaces.filter(
    (namespace: { type: string }) => namespace.type !== "network",
  );
  await writeFile(configPath, JSON.stringify(config));
  let output = "";
  const child: ChildProcess = spawn("runc", ["run", "--bundle", bundle, options.name], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk;
  });
  return {
    logs: () => output,
    async stop() {
      await exec("runc", ["kill", options.name, "KILL"]).catch(() => undefined);
      if (child.exitCode === null) await new Promise((resolve) => child.once("exit", resolve));
      await exec("runc", ["delete", "--force", options.name]).catch(() => undefined);
    },
  };
}

/** Polls a URL until it answers 200 or the deadline passes; returns the body. */
export async function waitForHttp(url: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return await response.text();
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms (last: ${last})`);
}
