import { processCapabilities } from "./capabilities";
import { DEVICE_RULES } from "./devices";
import { seccompProfile } from "./seccomp-profile";
import type { ProcessUser } from "./users";

/** Kernel state a container must not read (as Docker and containerd mask it). */
const MASKED_PATHS = [
  "/proc/acpi",
  "/proc/asound",
  "/proc/kcore",
  "/proc/keys",
  "/proc/latency_stats",
  "/proc/timer_list",
  "/proc/timer_stats",
  "/proc/sched_debug",
  "/sys/firmware",
  "/sys/devices/virtual/powercap",
  "/proc/scsi",
];

const READONLY_PATHS = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

export interface ProcessSpec {
  args: string[];
  env: string[];
  cwd: string;
  user: ProcessUser;
  hostname: string;
  netnsPath: string;
  hostsFile: string;
  readonlyRootfs: boolean;
  /** ECS `memory` (hard limit, MiB): past it the kernel kills the container (exit 137). */
  memoryLimitMiB?: number;
  /** ECS `cpu` units (1024 = one core), as relative cpu.shares like docker's --cpu-shares. */
  cpuUnits?: number;
}

function resources(spec: ProcessSpec): Record<string, unknown> {
  const result: Record<string, unknown> = { devices: DEVICE_RULES };
  if (spec.memoryLimitMiB !== undefined) {
    const bytes = spec.memoryLimitMiB * 1024 * 1024;
    // swap equal to the limit: no swap on top of it, as ECS containers have none.
    result.memory = { limit: bytes, swap: bytes };
  }
  if (spec.cpuUnits !== undefined) result.cpu = { shares: Math.max(2, spec.cpuUnits) };
  return result;
}

/** An OCI runtime spec (runc's config.json) for one container process. */
export function runtimeSpec(spec: ProcessSpec): Record<string, unknown> {
  return {
    ociVersion: "1.0.2",
    process: {
      terminal: false,
      user: {
        uid: spec.user.uid,
        gid: spec.user.gid,
        additionalGids: spec.user.additionalGids,
      },
      args: spec.args,
      env: spec.env,
      cwd: spec.cwd,
      capabilities: processCapabilities(spec.user.uid),
      // No rlimits: containers inherit the host's; raising them needs CAP_SYS_RESOURCE, which a
      // CI container may not grant.
      // No setuid program or file capability can raise a container's privileges (Docker's
      // `no-new-privileges`); it also lets runc apply the seccomp filter as late as possible.
      noNewPrivileges: true,
    },
    root: { path: "rootfs", readonly: spec.readonlyRootfs },
    hostname: spec.hostname,
    mounts: [
      { destination: "/proc", type: "proc", source: "proc" },
      {
        destination: "/dev",
        type: "tmpfs",
        source: "tmpfs",
        options: ["nosuid", "strictatime", "mode=755", "size=65536k"],
      },
      {
        destination: "/dev/pts",
        type: "devpts",
        source: "devpts",
        options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"],
      },
      {
        destination: "/dev/shm",
        type: "tmpfs",
        source: "shm",
        options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"],
      },
      {
        destination: "/dev/mqueue",
        type: "mqueue",
        source: "mqueue",
        options: ["nosuid", "noexec", "nodev"],
      },
      {
        destination: "/sys",
        type: "sysfs",
        source: "sysfs",
        options: ["nosuid", "noexec", "nodev", "ro"],
      },
      { destination: "/etc/hosts", type: "bind", source: spec.hostsFile, options: ["rbind", "ro"] },
    ],
    linux: {
      namespaces: [
        { type: "pid" },
        { type: "ipc" },
        { type: "uts" },
        { type: "mount" },
        { type: "network", path: spec.netnsPath },
      ],
      resources: resources(spec),
      seccomp: seccompProfile(),
      maskedPaths: MASKED_PATHS,
      readonlyPaths: READONLY_PATHS,
    },
  };
}
