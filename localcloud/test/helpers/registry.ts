import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../../src/runtime/exec";

/** A Debian `docker-registry` (distribution 2.x) on loopback, with htpasswd Basic auth. */
export interface TestRegistry {
  /** host:port, as image references and skopeo want it. */
  host: string;
  /** http://host:port */
  url: string;
  username: string;
  password: string;
  stop(): Promise<void>;
}

const REGISTRY_BIN = "/usr/bin/docker-registry";
const START_TIMEOUT_MS = 10_000;

export async function startRegistry(): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), "localcloud-registry-"));
  const username = "tester";
  const password = randomBytes(12).toString("hex");
  // bcrypt is the only hash distribution accepts; the password goes through stdin (-i).
  const { stdout } = await run("htpasswd", ["-iBn", username], { input: password });
  await writeFile(join(dir, "htpasswd"), stdout);
  await writeFile(
    join(dir, "config.yml"),
    [
      "version: 0.1",
      "log: { level: info, formatter: text }",
      `storage: { filesystem: { rootdirectory: ${join(dir, "data")} }, delete: { enabled: true } }`,
      "http: { addr: 127.0.0.1:0 }",
      `auth: { htpasswd: { realm: localcloud-test, path: ${join(dir, "htpasswd")} } }`,
      "",
    ].join("\n"),
  );
  const child = spawn(REGISTRY_BIN, ["serve", join(dir, "config.yml")], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let host: string;
  try {
    host = await listeningAddress(child);
  } catch (error) {
    child.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    host,
    url: `http://${host}`,
    username,
    password,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The registry logs `listening on 127.0.0.1:PORT` once its socket is bound. */
function listeningAddress(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(
      () =>
        reject(new Error(`docker-registry did not start in ${START_TIMEOUT_MS} ms:\n${output}`)),
      START_TIMEOUT_MS,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(
        new Error(
          `cannot start ${REGISTRY_BIN} (Debian package docker-registry): ${error.message}`,
        ),
      );
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`docker-registry exited with ${code} before listening:\n${output}`));
    });
  });
}
