import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { run } from "./exec";
import { forget, remember } from "./resources";

export type RootfsMode = "overlay" | "copy";

/**
 * Gives a container its own writable root filesystem over the shared image rootfs: an overlay
 * when the kernel allows it, else a copy (reflinked where the filesystem can), so no container
 * ever changes the cached image.
 */
export async function prepareRootfs(
  stateDir: string,
  imageRootfs: string,
  containerDir: string,
  preferred: RootfsMode = "overlay",
): Promise<{ path: string; mode: RootfsMode }> {
  const path = join(containerDir, "bundle", "rootfs");
  const upper = join(containerDir, "upper");
  const work = join(containerDir, "work");
  await mkdir(path, { recursive: true });
  await mkdir(upper, { recursive: true });
  await mkdir(work, { recursive: true });
  if (preferred === "overlay") {
    await remember(stateDir, { kind: "mount", path });
    const overlay = await run(
      "mount",
      [
        "-t",
        "overlay",
        "overlay",
        "-o",
        `lowerdir=${imageRootfs},upperdir=${upper},workdir=${work}`,
        path,
      ],
      { allowFailure: true },
    );
    if (overlay.code === 0) return { path, mode: "overlay" };
    await forget(stateDir, { kind: "mount", path });
  }
  await run("cp", ["-a", "--reflink=auto", `${imageRootfs}/.`, path]);
  return { path, mode: "copy" };
}

async function isMounted(path: string): Promise<boolean> {
  const mounts = await readFile("/proc/mounts", "utf8");
  return mounts.split("\n").some((line) => line.split(" ")[1] === path);
}

/** Unmounts a container rootfs; a lazy unmount if something still holds it. */
export async function releaseMount(stateDir: string, path: string): Promise<void> {
  if (await isMounted(path)) {
    const result = await run("umount", [path], { allowFailure: true });
    if (result.code !== 0 && (await isMounted(path))) await run("umount", ["-l", path]);
  }
  await forget(stateDir, { kind: "mount", path });
}
