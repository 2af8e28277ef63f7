import { randomBytes } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { run } from "./exec";
import { forget, isRemembered, remember } from "./resources";
import { numberToIp, parseSubnet, type Subnet } from "./subnet";

export interface NetworkConfig {
  /** Linux bridge localcloud creates and owns (at most 15 characters). */
  bridge: string;
  /** The task subnet; the bridge (the host) takes the first address. */
  subnet: string;
}

/** 198.18.0.0/15 is reserved for network testing (RFC 2544): it never collides with a real network. */
export const DEFAULT_NETWORK: NetworkConfig = { bridge: "lcbr0", subnet: "198.18.0.0/16" };

export interface TaskNetwork {
  taskId: string;
  /** The task's address (the awsvpc ENI's private IPv4 address). */
  ip: string;
  /** Host name of the task, as in /etc/hosts and the containers' UTS namespace. */
  hostname: string;
  netnsName: string;
  /** /run/netns/<name>: what runc joins. */
  netnsPath: string;
  /** The host end of the veth pair. */
  hostVeth: string;
  /** A hosts file for the task's containers. */
  hostsFile: string;
}

const ip = (args: string[]) => run("ip", args);

/** One bridge, one namespace + veth + address per task. No NAT, no forwarding: nothing leaves the host. */
export class TaskNetworks {
  private readonly subnet: Subnet;
  private bridgeReady: Promise<void> | undefined;
  private cursor: number;

  constructor(
    private readonly stateDir: string,
    private readonly config: NetworkConfig = DEFAULT_NETWORK,
  ) {
    if (config.bridge.length > 15)
      throw new Error(`bridge name ${config.bridge} is longer than 15 characters`);
    this.subnet = parseSubnet(config.subnet);
    this.cursor = this.subnet.firstHost;
  }

  get gateway(): string {
    return this.subnet.gateway;
  }

  get bridge(): string {
    return this.config.bridge;
  }

  private ensureBridge(): Promise<void> {
    this.bridgeReady ??= this.createBridge().catch((error) => {
      this.bridgeReady = undefined;
      throw error;
    });
    return this.bridgeReady;
  }

  private async createBridge(): Promise<void> {
    const name = this.config.bridge;
    const resource = { kind: "bridge", name } as const;
    const existing = await run("ip", ["link", "show", "dev", name], { allowFailure: true });
    if (existing.code === 0) {
      if (await isRemembered(this.stateDir, resource)) return;
      throw new Error(
        `bridge ${name} already exists and was not made with state folder ${this.stateDir}: ` +
          "give each runtime its own bridge name and subnet",
      );
    }
    await remember(this.stateDir, resource);
    await ip(["link", "add", "name", name, "type", "bridge"]);
    await ip(["addr", "add", `${this.subnet.gateway}/${this.subnet.prefix}`, "dev", name]);
    await ip(["link", "set", name, "up"]);
  }

  /** Takes the next free address, round robin, so a stopped task's address is not reused at once. */
  private async allocateAddress(): Promise<string> {
    const dir = join(this.stateDir, "addresses");
    await mkdir(dir, { recursive: true });
    const count = this.subnet.lastHost - this.subnet.firstHost + 1;
    for (let tried = 0; tried < count; tried += 1) {
      const candidate = numberToIp(this.cursor);
      this.cursor = this.cursor >= this.subnet.lastHost ? this.subnet.firstHost : this.cursor + 1;
      try {
        await writeFile(join(dir, candidate), "", { flag: "wx" });
        return candidate;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
    }
    throw new Error(`no free address left in ${this.subnet.cidr}`);
  }

  async create(taskId: string): Promise<TaskNetwork> {
    await this.ensureBridge();
    const suffix = randomBytes(4).toString("hex");
    const address = await this.allocateAddress();
    const netnsName = `lc-${suffix}`;
    const hostVeth = `lcv${suffix}`;
    const peer = `lcp${suffix}`;
    const taskDir = join(this.stateDir, "tasks", netnsName);
    const network: TaskNetwork = {
      taskId,
      ip: address,
      hostname: `ip-${address.replaceAll(".", "-")}`,
      netnsName,
      netnsPath: `/run/netns/${netnsName}`,
      hostVeth,
      hostsFile: join(taskDir, "hosts"),
    };
    try {
      await remember(this.stateDir, { kind: "dir", path: taskDir });
      await mkdir(taskDir, { recursive: true });
      await writeFile(
        network.hostsFile,
        `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n${address}\t${network.hostname}\n`,
      );
      await remember(this.stateDir, { kind: "netns", name: netnsName });
      await ip(["netns", "add", netnsName]);
      await remember(this.stateDir, { kind: "veth", name: hostVeth });
      await ip(["link", "add", hostVeth, "type", "veth", "peer", "name", peer]);
      await ip(["link", "set", peer, "netns", netnsName]);
      await ip(["link", "set", hostVeth, "master", this.config.bridge, "up"]);
      const inside = (args: string[]) => ip(["-n", netnsName, ...args]);
      await inside(["link", "set", "lo", "up"]);
      await inside(["link", "set", peer, "name", "eth0"]);
      await inside(["addr", "add", `${address}/${this.subnet.prefix}`, "dev", "eth0"]);
      await inside(["link", "set", "eth0", "up"]);
      await inside(["route", "add", "default", "via", this.subnet.gateway]);
    } catch (error) {
      await this.destroy(network).catch(() => {});
      throw error;
    }
    return network;
  }

  async destroy(network: TaskNetwork): Promise<void> {
    await destroyVeth(this.stateDir, network.hostVeth);
    await destroyNetns(this.stateDir, network.netnsName);
    const taskDir = join(this.stateDir, "tasks", network.netnsName);
    await rm(taskDir, { recursive: true, force: true });
    await forget(this.stateDir, { kind: "dir", path: taskDir });
    await rm(join(this.stateDir, "addresses", network.ip), { force: true });
  }
}

async function linkExists(name: string): Promise<boolean> {
  return (await run("ip", ["link", "show", "dev", name], { allowFailure: true })).code === 0;
}

async function netnsExists(name: string): Promise<boolean> {
  const listed = await run("ip", ["netns", "list"]);
  return listed.stdout.split("\n").some((line) => line.split(" ")[0] === name);
}

/**
 * Deletes with `ip` unless it is gone. A task that stops while localcloud shuts down tears down
 * its own network at the same time as the final cleanup, so "already deleted" is success.
 */
async function deleteIfPresent(exists: () => Promise<boolean>, args: string[]): Promise<void> {
  if (!(await exists())) return;
  try {
    await ip(args);
  } catch (error) {
    if (await exists()) throw error;
  }
}

export async function destroyVeth(stateDir: string, name: string): Promise<void> {
  // Deleting one end deletes the pair; the namespace's end may already be gone with its namespace.
  await deleteIfPresent(() => linkExists(name), ["link", "del", "dev", name]);
  await forget(stateDir, { kind: "veth", name });
}

export async function destroyNetns(stateDir: string, name: string): Promise<void> {
  await deleteIfPresent(() => netnsExists(name), ["netns", "del", name]);
  await forget(stateDir, { kind: "netns", name });
}

export async function destroyBridge(stateDir: string, name: string): Promise<void> {
  await deleteIfPresent(() => linkExists(name), ["link", "del", "dev", name]);
  await forget(stateDir, { kind: "bridge", name });
}
