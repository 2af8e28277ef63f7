import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pushLayout } from "../../src/images/push";
import type { Container } from "../../src/runtime/container";
import type { NetworkConfig, TaskNetwork } from "../../src/runtime/network";
import type { PulledImage } from "../../src/runtime/pull";
import { TaskRuntime } from "../../src/runtime/task-runtime";
import { startRegistry, type TestRegistry } from "../helpers/registry";
import { requireContainerPrivileges, uniqueTestNetwork } from "./fixtures";
import { writeProbeImage } from "./probe-image";

/** Capability numbers from capabilities(7) / linux/capability.h. */
const CAPABILITY_BITS: Record<string, number> = {
  CHOWN: 0,
  DAC_OVERRIDE: 1,
  FOWNER: 3,
  FSETID: 4,
  KILL: 5,
  SETGID: 6,
  SETUID: 7,
  SETPCAP: 8,
  NET_BIND_SERVICE: 10,
  NET_RAW: 13,
  SYS_CHROOT: 18,
  MKNOD: 27,
  AUDIT_WRITE: 29,
  SETFCAP: 31,
};

/** What Fargate gives a container (Docker's default set), less MKNOD. */
const EXPECTED = [
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "SETGID",
  "SETUID",
  "SETPCAP",
  "NET_BIND_SERVICE",
  "NET_RAW",
  "SYS_CHROOT",
  "AUDIT_WRITE",
  "SETFCAP",
];

const mask = (names: string[]): string =>
  names
    .reduce((bits, name) => bits | (1n << BigInt(CAPABILITY_BITS[name] ?? 63)), 0n)
    .toString(16)
    .padStart(16, "0");

let registry: TestRegistry;
let stateDir: string;
let network: NetworkConfig;
let runtime: TaskRuntime;
let probe: PulledImage;
let layoutDir: string | undefined;

beforeAll(async () => {
  await requireContainerPrivileges();
  registry = await startRegistry();
  stateDir = await mkdtemp(join(tmpdir(), "localcloud-hardening-"));
  network = await uniqueTestNetwork();
  const image = await writeProbeImage();
  layoutDir = image.layoutDir;
  const auth = { username: registry.username, password: registry.password };
  const { digest } = await pushLayout(image.reference, {
    registry: registry.host,
    repository: "probe",
    tag: "latest",
    ...auth,
  });
  runtime = await TaskRuntime.open({ stateDir, network });
  probe = await runtime.pullImage({
    registryUrl: registry.url,
    repository: "probe",
    reference: digest,
    auth,
  });
});

afterAll(async () => {
  await runtime?.close();
  await registry?.stop();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
  if (layoutDir) await rm(layoutDir, { recursive: true, force: true });
});

let taskCount = 0;
const tasks: TaskNetwork[] = [];
async function start(script: string, user?: string): Promise<Container> {
  taskCount += 1;
  const task = await runtime.createTaskNetwork(`hardening-${taskCount}`);
  tasks.push(task);
  return runtime.startContainer({
    name: `probe-${taskCount}`,
    image: probe,
    network: task,
    command: ["/bin/sh", "-c", script],
    ...(user ? { user } : {}),
  });
}

async function runScript(script: string, user?: string) {
  const container = await start(script, user);
  const status = await container.exited;
  return { exitCode: status.exitCode, output: container.logs().map((line) => line.message) };
}

/** The capability and confinement lines of /proc/self/status, read by the shell itself. */
const STATUS_SCRIPT = `while read -r key value; do
  case "$key" in Cap*|NoNewPrivs:|Seccomp:) echo "$key $value" ;; esac
done < /proc/self/status`;

const statusOf = (lines: string[]) =>
  Object.fromEntries(lines.map((line) => line.split(" ") as [string, string]));

describe("a task container's confinement", () => {
  it("cannot create device nodes, even as root: no CAP_MKNOD", async () => {
    const result = await runScript("mknod /tmp/disk b 8 0 && echo created; mknod /tmp/null c 1 3");
    expect(result.output).not.toContain("created");
    expect(result.output.join("\n")).toMatch(/mknod: .*Operation not permitted/);
    expect(result.exitCode).not.toBe(0);
  });

  it("holds Fargate's capabilities less MKNOD as root, none in effect as another user", async () => {
    const root = statusOf((await runScript(STATUS_SCRIPT)).output);
    expect(root).toMatchObject({
      "CapEff:": mask(EXPECTED),
      "CapPrm:": mask(EXPECTED),
      "CapBnd:": mask(EXPECTED),
      "CapInh:": mask([]),
      "CapAmb:": mask([]),
    });
    const app = statusOf((await runScript(STATUS_SCRIPT, "app")).output);
    expect(app).toMatchObject({
      "CapEff:": mask([]),
      "CapPrm:": mask([]),
      "CapBnd:": mask(EXPECTED),
    });
  });

  it("runs with no_new_privileges under a seccomp filter", async () => {
    const status = statusOf((await runScript(STATUS_SCRIPT)).output);
    expect(status["NoNewPrivs:"]).toBe("1");
    expect(status["Seccomp:"]).toBe("2");
  });

  it("gets EPERM from a blocked system call: a user namespace (unshare -U)", async () => {
    const result = await runScript("unshare --user /bin/sh -c 'echo inside a user namespace'");
    expect(result.output).not.toContain("inside a user namespace");
    expect(result.output.join("\n")).toMatch(/unshare failed: Operation not permitted/);
    expect(result.exitCode).not.toBe(0);
  });

  it("may use only the allowed devices: the cgroup denies all others", async () => {
    const container = await start(
      `while read -r line; do echo "$line"; done < /proc/self/cgroup; echo > /dev/null && echo null-ok; exec sleep 60`,
    );
    const deadline = Date.now() + 10_000;
    while (!container.logs().some((line) => line.message === "null-ok")) {
      if (Date.now() > deadline) throw new Error(`no output: ${JSON.stringify(container.logs())}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const cgroup = container
      .logs()
      .map((line) => line.message)
      .find((line) => /^\d+:devices:/.test(line))
      ?.split(":")[2];
    expect(cgroup).toBeDefined();
    const list = (await readFile(`/sys/fs/cgroup/devices${cgroup}/devices.list`, "utf8"))
      .trim()
      .split("\n");
    await container.stop("SIGKILL", 5_000);
    expect(list).not.toContain("a *:* rwm");
    const readable = list.filter((rule) => /r|w/.test(rule.split(" ")[2] ?? ""));
    expect(readable.sort()).toEqual(
      [
        // runc 1.1 adds /dev/net/tun to every container's rules; see devices.ts.
        "c 10:200 rwm",
        "c 1:3 rwm",
        "c 1:5 rwm",
        "c 1:7 rwm",
        "c 1:8 rwm",
        "c 1:9 rwm",
        "c 5:0 rwm",
        "c 5:1 rwm",
        "c 5:2 rwm",
        "c 136:* rwm",
      ].sort(),
    );
  });

  it("sees kernel state masked and /proc/sys read-only", async () => {
    const result = await runScript(`[ -c /proc/keys ] && [ -c /proc/timer_list ] && echo masked
set -- /sys/firmware/*; [ "$1" = "/sys/firmware/*" ] && echo firmware-empty
echo core > /proc/sys/kernel/core_pattern`);
    expect(result.output).toEqual(expect.arrayContaining(["masked", "firmware-empty"]));
    expect(result.output.join("\n")).toMatch(/core_pattern: Read-only file system/);
  });
});
