import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * Everything the runtime creates on the host, recorded in the state folder before it is created
 * and forgotten once removed, so a crashed run can be undone by the next one.
 */
export type Resource =
  | { kind: "container"; id: string }
  | { kind: "mount"; path: string }
  | { kind: "dir"; path: string }
  | { kind: "veth"; name: string }
  | { kind: "netns"; name: string }
  | { kind: "bridge"; name: string };

/** Removal order for cleanup: processes, then their files, then the network. */
export const CLEANUP_ORDER: Resource["kind"][] = [
  "container",
  "mount",
  "dir",
  "veth",
  "netns",
  "bridge",
];

function resourcesDir(stateDir: string): string {
  return join(stateDir, "resources");
}

function fileName(resource: Resource): string {
  const name = "id" in resource ? resource.id : "name" in resource ? resource.name : resource.path;
  return `${resource.kind}-${Buffer.from(name).toString("base64url")}.json`;
}

export async function remember(stateDir: string, resource: Resource): Promise<void> {
  await mkdir(resourcesDir(stateDir), { recursive: true });
  await writeFile(join(resourcesDir(stateDir), fileName(resource)), JSON.stringify(resource));
}

export async function forget(stateDir: string, resource: Resource): Promise<void> {
  await rm(join(resourcesDir(stateDir), fileName(resource)), { force: true });
}

export async function isRemembered(stateDir: string, resource: Resource): Promise<boolean> {
  const files = await readdir(resourcesDir(stateDir)).catch(() => [] as string[]);
  return files.includes(fileName(resource));
}

export async function listResources(stateDir: string): Promise<Resource[]> {
  const dir = resourcesDir(stateDir);
  const files = await readdir(dir).catch(() => [] as string[]);
  const resources: Resource[] = [];
  for (const file of files.filter((name) => name.endsWith(".json"))) {
    const text = await readFile(join(dir, file), "utf8").catch(() => "");
    if (text) resources.push(JSON.parse(text) as Resource);
  }
  return resources;
}
