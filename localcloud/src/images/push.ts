import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../runtime/exec";

export interface PushTarget {
  /** host:port of the registry, e.g. "127.0.0.1:5000". */
  registry: string;
  repository: string;
  tag: string;
  username: string;
  password: string;
  /** Plain HTTP / unverified TLS, as for a registry on loopback. Default true. */
  insecure?: boolean;
}

/**
 * Copies an image from an OCI layout (`oci:<dir>:<tag>`) into a registry with skopeo and returns
 * the manifest digest the registry stored. The credentials go to skopeo in an auth file in a
 * private temporary folder (removed afterwards), never on its command line.
 */
export async function pushLayout(source: string, target: PushTarget): Promise<{ digest: string }> {
  const dir = await mkdtemp(join(tmpdir(), "localcloud-push-"));
  try {
    const authFile = join(dir, "auth.json");
    const auth = Buffer.from(`${target.username}:${target.password}`).toString("base64");
    await writeFile(authFile, JSON.stringify({ auths: { [target.registry]: { auth } } }), {
      mode: 0o600,
    });
    const digestFile = join(dir, "digest");
    const insecure = target.insecure ?? true;
    await run("skopeo", [
      "copy",
      "--quiet",
      "--preserve-digests",
      `--dest-authfile=${authFile}`,
      `--dest-tls-verify=${!insecure}`,
      `--digestfile=${digestFile}`,
      source,
      `docker://${target.registry}/${target.repository}:${target.tag}`,
    ]);
    return { digest: (await readFile(digestFile, "utf8")).trim() };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
