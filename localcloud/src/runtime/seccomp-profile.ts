import { release } from "node:os";

/**
 * The seccomp filter every task container runs under (runc's `linux.seccomp`).
 *
 * Docker's default profile is an allow-list of about 350 system calls; what matters is what it
 * leaves out, and that is what this profile lists: the calls Docker documents as blocked by
 * default ("Significant syscalls blocked by the default profile") that a container without
 * CAP_SYS_ADMIN could still reach, or whose kernel code has been a way out of containers. Written
 * as a deny-list so a program the allow-list does not know yet still runs; every listed call
 * fails with EPERM, as under Docker and on Fargate, which applications already handle.
 */

const EPERM = 1;
const ENOSYS = 38;
/** clone(2)/unshare(2) flag that creates a user namespace (linux/sched.h). */
const CLONE_NEWUSER = 0x10000000;

/** Denied whatever their arguments. Grouped by why. */
const DENIED: Record<string, string[]> = {
  // The kernel keyring is not namespaced: keys would be shared with the host and other tasks.
  keyring: ["add_key", "keyctl", "request_key"],
  // Mounting and changing root: the mount API old and new, and pivot_root.
  mounts: [
    "mount",
    "umount",
    "umount2",
    "pivot_root",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "move_mount",
    "open_tree",
    "mount_setattr",
  ],
  // Namespaces of other processes; a new one of its own is filtered by flags below.
  namespaces: ["setns"],
  // Kernel modules, kexec, reboot, swap, accounting, quotas: the machine's, not the container's.
  machine: [
    "init_module",
    "finit_module",
    "delete_module",
    "create_module",
    "query_module",
    "get_kernel_syms",
    "kexec_load",
    "kexec_file_load",
    "reboot",
    "swapon",
    "swapoff",
    "acct",
    "quotactl",
    "quotactl_fd",
    "nfsservctl",
  ],
  // Clocks are not namespaced: setting one sets the host's.
  clocks: ["settimeofday", "stime", "clock_settime", "clock_adjtime"],
  // In-kernel programs, performance counters, userfaultfd and io_uring: large attack surfaces
  // behind many container escapes; every runtime that uses them falls back without them.
  kernelSurfaces: [
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
  ],
  // Open files by handle, past the container's root ("shocker").
  fileHandles: ["open_by_handle_at", "name_to_handle_at"],
  // Raw I/O ports, the kernel log, NUMA placement, obsolete calls.
  other: [
    "ioperm",
    "iopl",
    "syslog",
    "get_mempolicy",
    "set_mempolicy",
    "mbind",
    "move_pages",
    "lookup_dcookie",
    "sysfs",
    "_sysctl",
    "uselib",
    "ustat",
    "vm86",
    "vm86old",
  ],
};

/**
 * Before Linux 4.8 a traced process could skip seccomp, so Docker allows these only from 4.8 on.
 */
const TRACING = ["ptrace", "process_vm_readv", "process_vm_writev", "kcmp"];

/** The system call ABIs a container may use on this machine: all of them must be filtered. */
const ARCHITECTURES: Record<string, string[]> = {
  x64: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
  arm64: ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"],
};

/** Whether a kernel release string (`uname -r`) is older than major.minor. */
export const kernelOlderThan = (kernelRelease: string, major: number, minor: number): boolean => {
  const [a = 0, b = 0] = kernelRelease.split(/[.-]/).map(Number);
  return a < major || (a === major && b < minor);
};

export const seccompProfile = (kernelRelease = release(), arch: string = process.arch) => {
  const denied = Object.values(DENIED).flat();
  if (kernelOlderThan(kernelRelease, 4, 8)) denied.push(...TRACING);
  const newUserNamespace = [
    { index: 0, value: CLONE_NEWUSER, valueTwo: CLONE_NEWUSER, op: "SCMP_CMP_MASKED_EQ" },
  ];
  return {
    defaultAction: "SCMP_ACT_ALLOW",
    ...(ARCHITECTURES[arch] ? { architectures: ARCHITECTURES[arch] } : {}),
    syscalls: [
      { names: denied, action: "SCMP_ACT_ERRNO", errnoRet: EPERM },
      // A user namespace gives its creator every capability inside it, which reopens the kernel
      // code the missing capabilities keep closed; unprivileged users may create one, so only
      // the filter stops it. Other namespaces already need CAP_SYS_ADMIN.
      {
        names: ["unshare", "clone"],
        action: "SCMP_ACT_ERRNO",
        errnoRet: EPERM,
        args: newUserNamespace,
      },
      // clone3 passes its flags in memory, where a filter cannot see them: ENOSYS makes the C
      // library fall back to clone, whose flags are checked above (Docker does the same).
      { names: ["clone3"], action: "SCMP_ACT_ERRNO", errnoRet: ENOSYS },
    ],
  };
};
