import type { Ledger } from "../ledger/releases";

/**
 * The task definitions a rollback may still return to once the release being deployed goes live:
 * those of the `keep` releases live before it (the live one now, then its predecessors). Failed
 * releases are never in that chain, so their revisions do not count. Undefined while the ledger
 * knows fewer than `keep` such releases: revisions from before it are not judged.
 */
export async function revisionsKeptByLedger(
  ledger: Ledger,
  keep: number,
): Promise<string[] | undefined> {
  const live = (await ledger.live())?.value;
  if (!live) return undefined;
  const ids = [live.releaseId, ...live.previous].slice(0, keep);
  if (ids.length < keep) return undefined;
  const records = await Promise.all(ids.map((id) => ledger.read(id)));
  if (records.some((record) => !record?.taskDefinitionArn)) return undefined;
  // A release of several services keeps each service's revision.
  return records.flatMap((record) => [
    ...(record?.taskDefinitionArn ? [record.taskDefinitionArn] : []),
    ...Object.values(record?.services ?? {}).flatMap((facts) => facts.taskDefinitionArn ?? []),
  ]);
}
