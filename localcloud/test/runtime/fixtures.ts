import { access, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { run } from "../../src/runtime/exec";
import type { NetworkConfig, TaskNetwork } from "../../src/runtime/network";

/** Shared by the test files: base images are built once per machine, then come from this cache. */
export const BASE_IMAGE_CACHE = "/tmp/localcloud-test-base-images";

/**
 * The runtime needs root (namespaces, mounts, runc). Fail loudly with what is missing rather
 * than skip: a green run must mean the containers really ran.
 */
export async function requireContainerPrivileges(): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new Error("the task runtime tests need root (runc, ip netns, mount); run them as root");
  }
  for (const [binary, pkg] of [
    ["/usr/sbin/runc", "runc"],
    ["/usr/sbin/ip", "iproute2"],
    ["/usr/bin/skopeo", "skopeo"],
    ["/usr/bin/docker-registry", "docker-registry"],
  ]) {
    await access(binary as string).catch(() => {
      throw new Error(`${binary} is missing: install the Debian package ${pkg} (scripts/setup.sh)`);
    });
  }
}

const NETWORK_CLAIMS = "/tmp/localcloud-test-networks";

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Claims a number for this test process: a file created exclusively, naming our pid. A claim
 * whose process is gone is taken over, so crashed runs do not use the numbers up.
 */
async function claim(n: number): Promise<boolean> {
  const file = join(NETWORK_CLAIMS, String(n));
  try {
    await writeFile(file, String(process.pid), { flag: "wx" });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  const owner = Number(await readFile(file, "utf8").catch(() => "0"));
  if (owner === process.pid || (owner > 0 && processAlive(owner))) return false;
  await rm(file, { force: true });
  return claim(n);
}

/**
 * A bridge and /24 of its own for one test file, so test files running in parallel (and a
 * localcloud on the default lcbr0) never share a bridge or addresses.
 */
export async function uniqueTestNetwork(): Promise<NetworkConfig> {
  await mkdir(NETWORK_CLAIMS, { recursive: true });
  const start = Math.floor(Math.random() * 150);
  for (let offset = 0; offset < 150; offset += 1) {
    const n = 100 + ((start + offset) % 150);
    const bridge = `lct${n}`;
    if (!(await claim(n))) continue;
    const taken = await run("ip", ["link", "show", "dev", bridge], { allowFailure: true });
    if (taken.code !== 0) return { bridge, subnet: `198.18.${n}.0/24` };
  }
  throw new Error("no free test bridge name lct100..lct249");
}

/** What a runtime left on the host, to assert that cleanup removed it all. */
export async function hostLeftovers(
  stateDir: string,
  network: NetworkConfig,
  tasks: TaskNetwork[],
): Promise<{ containers: string[]; namespaces: string[]; links: string[]; mounts: string[] }> {
  const runc = await run("runc", ["--root", `${stateDir}/runc`, "list", "--quiet"], {
    allowFailure: true,
  });
  const namespaces = (await run("ip", ["netns", "list"])).stdout
    .split("\n")
    .map((line) => line.split(" ")[0] ?? "");
  const links = (await run("ip", ["-o", "link", "show"])).stdout
    .split("\n")
    .map((line) => line.split(":")[1]?.trim().split("@")[0] ?? "");
  const mounts = await readFile("/proc/mounts", "utf8");
  return {
    containers: runc.stdout.split("\n").filter(Boolean),
    namespaces: namespaces.filter((name) => tasks.some((task) => task.netnsName === name)),
    links: links.filter(
      (name) => name === network.bridge || tasks.some((task) => task.hostVeth === name),
    ),
    mounts: mounts.split("\n").filter((line) => line.includes(stateDir)),
  };
}
