/**
 * The devices a container may use: the cgroup rule list denies every device, then allows the
 * character devices every container runtime gives (Docker, containerd, CRI-O): the pseudo devices
 * runc creates in the container's /dev, its terminal devices and the pty multiplexer. /dev/shm
 * and /dev/mqueue are filesystems, not devices, and stay mounted as they are. Anything else, such
 * as a disk a root process could otherwise open through a device node, is refused by the kernel.
 *
 * runc 1.1 appends its own defaults after these rules, which add /dev/net/tun (c 10:200) and
 * mknod of any device: harmless here, as the container has no tun node, no CAP_MKNOD to make one
 * and no CAP_NET_ADMIN to create an interface with it.
 */
interface DeviceRule {
  allow: boolean;
  type?: "c" | "b" | "a";
  major?: number;
  minor?: number;
  access: string;
}

const character = (major: number, minor?: number): DeviceRule => ({
  allow: true,
  type: "c",
  major,
  ...(minor === undefined ? {} : { minor }),
  access: "rwm",
});

export const DEVICE_RULES: DeviceRule[] = [
  { allow: false, access: "rwm" },
  character(1, 3), // /dev/null
  character(1, 5), // /dev/zero
  character(1, 7), // /dev/full
  character(1, 8), // /dev/random
  character(1, 9), // /dev/urandom
  character(5, 0), // /dev/tty
  character(5, 1), // /dev/console
  character(5, 2), // /dev/ptmx
  character(136), // /dev/pts/*
];
