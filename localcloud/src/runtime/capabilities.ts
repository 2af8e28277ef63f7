/**
 * The capabilities a task's container may hold.
 *
 * ECS describes `linuxParameters.capabilities` relative to Docker's default set, and Fargate lets
 * a task add nothing to it but SYS_PTRACE (KernelCapabilities in the ECS API reference), so no
 * container on Fargate ever holds SYS_ADMIN, NET_ADMIN, SYS_MODULE and the like. localcloud runs
 * tasks on a workstation, not in a VM of their own, so it also leaves out MKNOD, as containerd 2,
 * CRI-O and Podman do by default: a web service never needs to create device nodes, and one
 * created by a root container would otherwise be on the host's filesystem.
 */
export const CONTAINER_CAPABILITIES = [
  "CAP_AUDIT_WRITE",
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_FOWNER",
  "CAP_FSETID",
  "CAP_KILL",
  "CAP_NET_BIND_SERVICE",
  "CAP_NET_RAW",
  "CAP_SETFCAP",
  "CAP_SETGID",
  "CAP_SETPCAP",
  "CAP_SETUID",
  "CAP_SYS_CHROOT",
] as const;

/**
 * runc's `process.capabilities`. Root gets the set in effect; any other user starts with none in
 * effect (as Docker does since 20.10), the set only bounding what a setuid program could gain,
 * which `noNewPrivileges` forbids anyway. Inheritable and ambient stay empty (CVE-2022-24769).
 */
export const processCapabilities = (uid: number) => {
  const held = uid === 0 ? [...CONTAINER_CAPABILITIES] : [];
  return { bounding: [...CONTAINER_CAPABILITIES], effective: held, permitted: held };
};
