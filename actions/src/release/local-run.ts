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
 * SHIPLINE_COMMIT) and the run is `local<N>`, N being one more than the highest counter of that
 * commit's local releases in the ledger. So the release id reads `<commit>-local1`,
 * `<commit>-local2`, … and says which commit it shipped, with no CI variable to fake. Two local
 * runs of one commit at the same moment get the same id: the ledger refuses the second (an id is
 * created only once), and it can be run again. In CI, or with SHIPLINE_RUN set, env is returned
 * as it is.
 */
export async function localRunEnv(
  env: NodeJS.ProcessEnv,
  ledger: LocalLedger,
  cwd: string = process.cwd(),
): Promise<NodeJS.ProcessEnv> {
  if (isCiRun(env) || env.SHIPLINE_RUN) return env;
  const commit = env.SHIPLINE_COMMIT || (await gitHead(cwd));
  if (!commit) return env;
  const counter = (await highestLocalCounter(ledger, commit)) + 1;
  return { ...env, SHIPLINE_COMMIT: commit, SHIPLINE_RUN: `local${counter}` };
}

/** The commit checked out in `cwd`, or undefined outside a git work tree. */
export async function gitHead(cwd: string): Promise<string | undefined> {
  try {
    const { stdout } = await promisify(execFile)("git", ["rev-parse", "HEAD"], { cwd });
    const commit = stdout.trim();
    return /^[0-9a-f]{40,64}$/.test(commit) ? commit : undefined;
  } catch {
    return undefined;
  }
}

/** The highest N of `<commit>-local<N>` records in the environment's ledger; 0 when none. */
export async function highestLocalCounter(ledger: LocalLedger, commit: string): Promise<number> {
  const prefix = `${releasesPrefix(ledger.ledgerPrefix, ledger.environment)}${commit.slice(0, 12)}-local`;
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
        const counter = /^(\d+)\.json$/.exec(object.Key?.slice(prefix.length) ?? "")?.[1];
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
