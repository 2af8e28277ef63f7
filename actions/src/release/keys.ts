/**
 * Where an environment's records live in the deploy bucket, under the reserved ledger prefix
 * (the same prefix the web manifests use, so one rule keeps every shipline record out of the
 * site): one object per release, one lock and one live pointer per environment.
 */
export function releasesPrefix(ledgerPrefix: string, environment: string): string {
  return `${ledgerPrefix}releases/${environment}/`;
}

export function releaseRecordKey(ledgerPrefix: string, environment: string, id: string): string {
  return `${releasesPrefix(ledgerPrefix, environment)}${id}.json`;
}

export function lockKey(ledgerPrefix: string, environment: string): string {
  return `${ledgerPrefix}locks/${environment}.json`;
}

export function livePointerKey(ledgerPrefix: string, environment: string): string {
  return `${ledgerPrefix}live/${environment}.json`;
}
