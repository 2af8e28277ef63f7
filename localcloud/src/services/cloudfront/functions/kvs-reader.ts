import type { StoredKeyValueStore } from "../key-value-stores/kvs-store";
import type { KeyValueReader } from "./function-runtime";

/** What `cf.kvs()` reads: the store's current keys, in-process. */
export const readerOf = (store: StoredKeyValueStore): KeyValueReader => ({
  id: store.id,
  arn: store.arn,
  get: (key) => (Object.hasOwn(store.items, key) ? store.items[key] : undefined),
  meta: () => ({
    creationDateTime: new Date(store.createdAt).toISOString(),
    lastUpdatedDateTime: new Date(store.dataModifiedAt).toISOString(),
    keyCount: Object.keys(store.items).length,
  }),
});
