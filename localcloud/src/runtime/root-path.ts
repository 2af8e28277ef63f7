import { lstat, readlink } from "node:fs/promises";
import { join } from "node:path";

const MAX_SYMLINKS = 40;

/**
 * Resolves `path` inside `root` as the container would see it: symbolic links are followed
 * relative to `root` (an absolute target restarts at `root`, `..` stops at `root`), so a layer
 * can never make us write outside the root filesystem.
 */
export async function resolveInRoot(root: string, path: string): Promise<string> {
  const pending = path.split("/").filter(Boolean);
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === ".") continue;
    if (part === "..") {
      resolved.pop();
      continue;
    }
    const candidate = join(root, ...resolved, part);
    const stats = await lstat(candidate).catch(() => undefined);
    if (stats?.isSymbolicLink()) {
      links += 1;
      if (links > MAX_SYMLINKS) throw new Error(`too many symbolic links resolving ${path}`);
      const target = await readlink(candidate);
      if (target.startsWith("/")) resolved.length = 0;
      pending.unshift(...target.split("/").filter(Boolean));
      continue;
    }
    resolved.push(part);
  }
  return join(root, ...resolved);
}

/** Resolves the parent folder inside `root` and keeps the last component as is (not followed). */
export async function resolveParentInRoot(root: string, path: string): Promise<string> {
  const parts = path.split("/").filter(Boolean);
  const last = parts.pop();
  if (!last || last === "." || last === "..") throw new Error(`invalid path in layer: ${path}`);
  return join(await resolveInRoot(root, parts.join("/")), last);
}
