import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { JsonFile } from "../../../state/json-file";
import { newETag } from "../ids";

/** One key value store: its control-plane record and its keys (the data plane's). */
export interface StoredKeyValueStore {
  id: string;
  name: string;
  arn: string;
  comment: string;
  /** The control plane's version (DescribeKeyValueStore/UpdateKeyValueStore/Delete…). */
  etag: string;
  createdAt: number;
  lastModifiedAt: number;
  /** The data plane's version: changes with every key write; IfMatch is checked against it. */
  dataEtag: string;
  dataModifiedAt: number;
  items: Record<string, string>;
}

interface State {
  stores: StoredKeyValueStore[];
}

/** CloudFront's documented quotas for a key value store. */
export const KVS_LIMITS = {
  keyBytes: 512,
  valueBytes: 1024,
  totalBytes: 5 * 1024 * 1024,
};

/**
 * Key value stores, persisted in CloudFront's state folder: the control plane (CloudFront API),
 * the data plane (`cloudfront-keyvaluestore`) and functions at the edge all read this one store,
 * so a key put is what the next function run reads.
 */
export class KeyValueStores {
  private readonly file: JsonFile<State>;

  constructor(stateDir: string) {
    this.file = new JsonFile<State>(join(stateDir, "key-value-stores.json"), () => ({
      stores: [],
    }));
  }

  all(): StoredKeyValueStore[] {
    return this.file.data.stores;
  }

  byName(name: string): StoredKeyValueStore | undefined {
    return this.all().find((s) => s.name === name);
  }

  byArn(arn: string): StoredKeyValueStore | undefined {
    return this.all().find((s) => s.arn === arn);
  }

  create(accountId: string, name: string, comment: string, now: number): StoredKeyValueStore {
    const id = randomUUID();
    const store: StoredKeyValueStore = {
      id,
      name,
      arn: `arn:aws:cloudfront::${accountId}:key-value-store/${id}`,
      comment,
      etag: newETag(),
      createdAt: now,
      lastModifiedAt: now,
      dataEtag: newVersion(),
      dataModifiedAt: now,
      items: {},
    };
    this.file.update((state) => state.stores.push(store));
    return store;
  }

  remove(id: string): void {
    this.file.update((state) => {
      state.stores = state.stores.filter((s) => s.id !== id);
    });
  }

  /** Applies puts and deletes at once and gives the store a new data version. */
  write(
    store: StoredKeyValueStore,
    puts: Array<{ key: string; value: string }>,
    deletes: string[],
    now: number,
  ): void {
    for (const key of deletes) delete store.items[key];
    for (const { key, value } of puts) store.items[key] = value;
    store.dataEtag = newVersion();
    store.dataModifiedAt = now;
    this.file.save();
  }

  save(): void {
    this.file.save();
  }
}

/** Bytes a store holds: every key and value, UTF-8. */
export const totalSizeInBytes = (items: Record<string, string>): number => {
  let total = 0;
  for (const [key, value] of Object.entries(items)) {
    total += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  return total;
};

const newVersion = (): string => randomUUID().replaceAll("-", "").slice(0, 24).toUpperCase();
