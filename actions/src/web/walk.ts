import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { lstat, readdir, readFile, realpath, stat } from "node:fs/promises";
import { isAbsolute, join, relative, sep } from "node:path";
import { ConfigurationError, quote } from "../lib/errors";
import { mapLimited } from "./concurrency";

export interface LocalFile {
  /** Path relative to the folder, with `/` separators. */
  path: string;
  /** Where to read it (a link inside the folder is read through its target). */
  absolutePath: string;
  size: number;
  sha256: string;
  /** Hex MD5: what S3 reports as the ETag of an object sent in one part. */
  md5: string;
}

/**
 * Lists every file under `root` (sorted, links followed when they stay inside the folder) and
 * hashes each. Refuses what would make a publish destructive or surprising: a missing or empty
 * folder, a link that leaves it, a file that cannot be read.
 */
export async function walkFolder(root: string, input = "source"): Promise<LocalFile[]> {
  const rootReal = await realpath(root).catch(() => {
    throw new ConfigurationError(`input "${input}" ${quote(root)} does not exist`);
  });
  const rootStat = await stat(rootReal);
  if (!rootStat.isDirectory()) {
    throw new ConfigurationError(`input "${input}" ${quote(root)} is not a folder`);
  }
  const found: { path: string; absolutePath: string; size: number }[] = [];
  const visited = new Set<string>([rootReal]);

  const visit = async (dir: string, relativeDir: string): Promise<void> => {
    const entries = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
      throw new ConfigurationError(
        `folder ${quote(join(root, relativeDir))} cannot be read: ${error.code ?? error.message}`,
      );
    });
    // Look at a folder's entries at once (thousands of files: one round of syscalls, not many).
    const described = await Promise.all(
      entries.sort().map(async (name) => {
        const path = relativeDir ? `${relativeDir}/${name}` : name;
        const full = join(dir, name);
        let info = await lstat(full);
        let target = full;
        if (info.isSymbolicLink()) {
          target = await realpath(full).catch(() => {
            throw new ConfigurationError(`link ${quote(path)} in ${quote(root)} points at nothing`);
          });
          const inside = relative(rootReal, target);
          if (inside === "" || inside.split(sep)[0] === ".." || isAbsolute(inside)) {
            throw new ConfigurationError(
              `link ${quote(path)} in ${quote(root)} leads outside the folder (to ${quote(target)}); publish only the built site`,
            );
          }
          info = await stat(target);
        }
        return { path, target, info };
      }),
    );
    for (const { path, target, info } of described) {
      if (info.isDirectory()) {
        if (visited.has(target)) continue;
        visited.add(target);
        await visit(target, path);
      } else if (info.isFile()) {
        found.push({ path, absolutePath: target, size: info.size });
      }
    }
  };
  await visit(rootReal, "");

  if (found.length === 0) {
    throw new ConfigurationError(
      `input "${input}" ${quote(root)} is empty: refusing to publish an empty site (it would replace the live one)`,
    );
  }
  return mapLimited(found, 16, async (file) => ({ ...file, ...(await hashFile(file)) }));
}

/** Small files are read whole (one syscall, fast); large ones are streamed to bound memory. */
const READ_WHOLE_BELOW = 8 * 1024 * 1024;

async function hashFile(file: {
  path: string;
  absolutePath: string;
  size: number;
}): Promise<{ sha256: string; md5: string }> {
  // Both digests in one read: sha256 is the file's identity, MD5 checks the bucket's copy.
  const sha256 = createHash("sha256");
  const md5 = createHash("md5");
  const digests = () => ({ sha256: sha256.digest("hex"), md5: md5.digest("hex") });
  if (file.size < READ_WHOLE_BELOW) {
    const bytes = await readFile(file.absolutePath).catch((error: NodeJS.ErrnoException) => {
      throw new ConfigurationError(
        `file ${quote(file.path)} cannot be read: ${error.code ?? error.message}`,
      );
    });
    sha256.update(bytes);
    md5.update(bytes);
    return digests();
  }
  return new Promise((resolve, reject) => {
    createReadStream(file.absolutePath)
      .on("error", (error: NodeJS.ErrnoException) =>
        reject(
          new ConfigurationError(
            `file ${quote(file.path)} cannot be read: ${error.code ?? error.message}`,
          ),
        ),
      )
      .on("data", (chunk) => {
        sha256.update(chunk);
        md5.update(chunk);
      })
      .on("end", () => resolve(digests()));
  });
}
