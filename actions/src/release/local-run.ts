import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { releasesPrefix } from "../ledger/keys";

/** Where a local run's releases are counted: the environment's ledger. */
export interface LocalLedger {
  s3: S3Client;
  bucket: string;
  ledgerPrefix: string;
  environment: string;
}

/** Whether a CI system names this run (then its own variables give the commit and the run). */
export function isCiRun(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.GITHUB_RUN_ID || env.CIRCLE_BUILD_NUM);
}

/**
 * A run from a developer's machine, outside CI: the commit is `git rev-parse HEAD` (or
 * SHIPLINE_COMMIT), marked `-dirty` when tracked files differ from it, and the run is
 * `local<N>`, N being one more than the highest local counter among the environment's releases
 * in the ledger. So the release id reads `<commit>-local<N>` and says which commit it shipped,
 * with no CI variable to fake; the counter is the environment's, not the commit's, because a
 * rollback's id carries the commit it returns to. Two local runs at the same moment get the same
 * id: the ledger creates an id only once, so the second is refused and can be run again. A dirty
 * commit is not a revision: its images are tagged with the release id, never with a commit tag
 * another build of that commit would need. In CI, or with SHIPLINE_RUN set, env is returned as
 * it is.
 */
export async function localRunEnv(
  env: NodeJS.ProcessEnv,
  ledger: LocalLedger,
  cwd: string = process.cwd(),
): Promise<NodeJS.ProcessEnv> {
  if (isCiRun(env) || env.SHIPLINE_RUN) return env;
  const commit = env.SHIPLINE_COMMIT || (await gitHead(cwd));
  if (!commit) return env;
  const counter = (await highestLocalCounter(ledger)) + 1;
  return { ...env, SHIPLINE_COMMIT: commit, SHIPLINE_RUN: `local${counter}` };
}

/**
 * The commit checked out in `cwd` (with `-dirty` when tracked files were changed since), or
 * undefined outside a git work tree.
 */
export async function gitHead(cwd: string): Promise<string | undefined> {
  const git = (...args: string[]) => promisify(execFile)("git", args, { cwd });
  try {
    const commit = (await git("rev-parse", "HEAD")).stdout.trim();
    if (!/^[0-9a-f]{40,64}$/.test(commit)) return undefined;
    const changes = (await git("status", "--porcelain", "--untracked-files=no")).stdout.trim();
    return changes === "" ? commit : `${commit}-dirty`;
  } catch {
    return undefined;
  }
}

/** The highest N of the `…-local<N>` records in the environment's ledger; 0 when none. */
export async function highestLocalCounter(ledger: LocalLedger): Promise<number> {
  const prefix = releasesPrefix(ledger.ledgerPrefix, ledger.environment);
  let highest = 0;
  let token: string | undefined;
  try {
    do {
      const page = await ledger.s3.send(
        new ListObjectsV2Command({
          Bucket: ledger.bucket,
          Prefix: prefix,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      for (const object of page.Contents ?? []) {
        const counter = /-local(\d+)\.json$/.exec(object.Key?.slice(prefix.length) ?? "")?.[1];
        if (counter) highest = Math.max(highest, Number(counter));
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  } catch (error) {
    // A bucket not created yet has no releases; the deploy itself reports the missing bucket.
    if ((error as Error).name !== "NoSuchBucket") throw error;
  }
  return highest;
}
