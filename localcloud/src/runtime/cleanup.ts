import { rm } from "node:fs/promises";
import { join } from "node:path";
import { runcArgs } from "./container";
import { releaseMount } from "./container-rootfs";
import { run } from "./exec";
import { destroyBridge, destroyNetns, destroyVeth } from "./network";
import { CLEANUP_ORDER, forget, listResources, type Resource } from "./resources";

export interface CleanupReport {
  removed: Resource[];
  failures: string[];
}

/** runc containers under this state folder, recorded or not (a crash between create and record). */
async function runcContainers(stateDir: string): Promise<string[]> {
  const listed = await run("runc", runcArgs(stateDir, ["list", "--quiet"]), { allowFailure: true });
  return listed.code === 0 ? listed.stdout.split("\n").filter(Boolean) : [];
}

async function removeContainer(stateDir: string, id: string): Promise<void> {
  // delete --force kills the whole container (SIGKILL) and removes runc's state and cgroups.
  await run("runc", runcArgs(stateDir, ["delete", "--force", id]), { allowFailure: true });
  const left = await runcContainers(stateDir);
  if (left.includes(id)) throw new Error(`runc could not delete container ${id}`);
  await forget(stateDir, { kind: "container", id });
}

async function remove(stateDir: string, resource: Resource): Promise<void> {
  switch (resource.kind) {
    case "container":
      return removeContainer(stateDir, resource.id);
    case "mount":
      return releaseMount(stateDir, resource.path);
    case "dir":
      await rm(resource.path, { recursive: true, force: true });
      return forget(stateDir, resource);
    case "veth":
      return destroyVeth(stateDir, resource.name);
    case "netns":
      return destroyNetns(stateDir, resource.name);
    case "bridge":
      return destroyBridge(stateDir, resource.name);
  }
}

/**
 * Stops every container and removes every runc container, mount, folder, veth, namespace and
 * bridge recorded in `stateDir` (what a previous run, crashed or not, left behind). Idempotent.
 * The image cache stays. Throws if anything could not be removed, naming it.
 */
export async function cleanupAll(stateDir: string): Promise<CleanupReport> {
  const report: CleanupReport = { removed: [], failures: [] };
  const recorded = await listResources(stateDir);
  const known = new Set(
    recorded.flatMap((resource) => (resource.kind === "container" ? [resource.id] : [])),
  );
  const stray = (await runcContainers(stateDir))
    .filter((id) => !known.has(id))
    .map((id): Resource => ({ kind: "container", id }));
  const all = [...stray, ...recorded].sort(
    (a, b) => CLEANUP_ORDER.indexOf(a.kind) - CLEANUP_ORDER.indexOf(b.kind),
  );
  for (const resource of all) {
    try {
      await remove(stateDir, resource);
      report.removed.push(resource);
    } catch (error) {
      report.failures.push(`${JSON.stringify(resource)}: ${(error as Error).message}`);
    }
  }
  await rm(join(stateDir, "addresses"), { recursive: true, force: true });
  if (report.failures.length > 0) {
    throw new Error(`cleanup left resources behind:\n${report.failures.join("\n")}`);
  }
  return report;
}
