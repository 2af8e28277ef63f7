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
 * Lists every file under `root` (sorted, links followed when they stay inside the folder: a
 * folder reached by two paths is published under both, as a web server would serve both) and
 * hashes each. Refuses what would make a publish destructive or surprising rather than skip it:
 * a missing or empty folder, a link that leaves it or loops back into its own path, a name that
 * is not UTF-8 (S3 keys are), something that is neither a file nor a folder, an unreadable file.
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

  /** `ancestors`: the real folders on the way here, so a link back into one is a loop. */
  const visit = async (dir: string, relativeDir: string, ancestors: string[]): Promise<void> => {
    const entries = await readdir(dir, { encoding: "buffer" }).catch(
      (error: NodeJS.ErrnoException) => {
        throw new ConfigurationError(
          `folder ${quote(join(root, relativeDir))} cannot be read: ${error.code ?? error.message}`,
        );
      },
    );
    const names = entries.map((raw) => utf8Name(raw, relativeDir, root)).sort();
    // Look at a folder's entries at once (thousands of files: one round of syscalls, not many).
    const described = await Promise.all(
      names.map(async (name) => {
        const path = relativeDir ? `${relativeDir}/${name}` : name;
        const full = join(dir, name);
        let info = await lstat(full);
        let target = full;
        if (info.isSymbolicLink()) {
          target = await realpath(full).catch(() => {
            throw new ConfigurationError(`link ${quote(path)} in ${quote(root)} points at nothing`);
          });
          const inside = relative(rootReal, target);
          // The root itself ("") is inside: a link to it is a loop, refused below.
          if (inside.split(sep)[0] === ".." || isAbsolute(inside)) {
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
        if (ancestors.includes(target)) {
          throw new ConfigurationError(
            `link ${quote(path)} in ${quote(root)} leads back into a folder that contains it: the site would be endless`,
          );
        }
        await visit(target, path, [...ancestors, target]);
      } else if (info.isFile()) {
        found.push({ path, absolutePath: target, size: info.size });
      } else {
        throw new ConfigurationError(
          `${quote(path)} in ${quote(root)} is neither a file nor a folder (a socket, pipe or device): remove it from the built site`,
        );
      }
    }
  };
  await visit(rootReal, "", [rootReal]);

  if (found.length === 0) {
    throw new ConfigurationError(
      `input "${input}" ${quote(root)} is empty: refusing to publish an empty site (it would replace the live one)`,
    );
  }
  found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return mapLimited(found, 16, async (file) => ({ ...file, ...(await hashFile(file)) }));
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** A file name as text; S3 keys are UTF-8, so a name that is not cannot become one. */
function utf8Name(raw: Buffer, relativeDir: string, root: string): string {
  try {
    return UTF8.decode(raw);
  } catch {
    const shown = `${relativeDir ? `${relativeDir}/` : ""}${raw.toString("latin1")}`;
    throw new ConfigurationError(
      `file name ${quote(shown)} in ${quote(root)} is not UTF-8 (bytes ${raw.toString("hex")}): rename it, S3 keys are UTF-8`,
    );
  }
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
