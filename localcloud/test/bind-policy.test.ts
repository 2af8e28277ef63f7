import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { bindDecision } from "../src/bind-policy";
import { startLocalcloud } from "../src/index";

const run = promisify(execFile);
const BIN = join(import.meta.dirname, "..", "bin", "localcloud.mjs");
const stateDir = mkdtempSync(join(tmpdir(), "localcloud-bind-"));

afterAll(() => {
  rmSync(stateDir, { recursive: true, force: true });
});

/** A port nothing listens on right now (taken and released on loopback). */
const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const connectError = (port: number): Promise<string | undefined> =>
  new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code));
  });

describe("bindDecision", () => {
  it.each(["127.0.0.1", "127.0.0.53", "localhost", "::1", "[::1]"])(
    "lets %s listen without a flag",
    (host) => {
      expect(bindDecision(host, false)).toEqual({ kind: "loopback" });
    },
  );

  it.each(["0.0.0.0", "::", "192.168.1.20", "10.0.0.1", "workstation.example"])(
    "refuses %s without the flag, saying which flag allows it",
    (host) => {
      const decision = bindDecision(host, false);
      expect(decision.kind).toBe("refused");
      expect(decision.kind === "refused" && decision.message).toMatch(
        new RegExp(`refusing to listen on ${host.replace(/\./g, "\\.")}.*--allow-remote`),
      );
    },
  );

  it.each(["0.0.0.0", "::", "192.168.1.20"])("allows %s with the flag, with a warning", (host) => {
    const decision = bindDecision(host, true);
    expect(decision.kind).toBe("remote");
    expect(decision.kind === "remote" && decision.warning).toContain(
      `WARNING: listening on ${host}`,
    );
  });

  it("refuses what is no host at all", () => {
    expect(bindDecision("a/b", true).kind).toBe("refused");
  });
});

describe("starting on a non-loopback address", () => {
  it("fails before anything listens when the flag is missing", async () => {
    const port = await freePort();
    await expect(startLocalcloud({ stateDir, host: "0.0.0.0", port })).rejects.toThrow(
      /refusing to listen on 0\.0\.0\.0/,
    );
    expect(await connectError(port)).toBe("ECONNREFUSED");
  });

  it("the CLI exits with the message and never reports ready", async () => {
    // Killed after a while: should it ever start, it must not stay on 0.0.0.0.
    const failure = await run(
      process.execPath,
      [BIN, "start", "--state-dir", stateDir, "--host", "0.0.0.0", "--port", "0"],
      { timeout: 15_000, killSignal: "SIGKILL" },
    ).then(
      () => undefined,
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toContain("--allow-remote");
    expect(failure?.stdout).not.toContain("ready");
  });

  it("prints the warning when the flag is given (closed at once)", async () => {
    const warnings: string[] = [];
    const cloud = await startLocalcloud({
      stateDir,
      host: "0.0.0.0",
      port: 0,
      allowNonLoopback: true,
      services: [],
      warn: (message) => warnings.push(message),
    });
    await cloud.stop();
    expect(warnings).toEqual([expect.stringContaining("WARNING: listening on 0.0.0.0")]);
  });
});
