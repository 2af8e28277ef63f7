import { join } from "node:path";
import { BlobStore } from "./blobs";
import { s3Errors } from "./errors";
import { Journal } from "./journal";
import type {
  BucketRecord,
  ChecksumAlgorithm,
  ChecksumRecord,
  ContentHeaders,
  ObjectRecord,
} from "./model";

export interface PartRecord {
  partNumber: number;
  blob: string;
  size: number;
  etag: string;
  lastModified: string;
  checksum?: ChecksumRecord;
}

export interface UploadRecord {
  uploadId: string;
  bucket: string;
  key: string;
  initiated: string;
  headers: ContentHeaders;
  checksumAlgorithm?: ChecksumAlgorithm;
  parts: Record<string, PartRecord>;
}

/** Preconditions of a write (PutObject, CompleteMultipartUpload, CopyObject). */
export interface WriteConditions {
  ifNoneMatch?: string;
  ifMatch?: string;
}

const COMPACT_AFTER = 10_000;

type Entry =
  | { t: "bucket"; bucket: BucketRecord }
  | { t: "rmbucket"; name: string }
  | { t: "policy"; name: string; policy?: string }
  | { t: "put"; bucket: string; object: ObjectRecord }
  | { t: "rm"; bucket: string; key: string }
  | { t: "upload"; upload: UploadRecord }
  | { t: "part"; uploadId: string; part: PartRecord }
  | { t: "endupload"; uploadId: string };

interface BucketState {
  record: BucketRecord;
  objects: Map<string, ObjectRecord>;
  /** Keys in S3's order (UTF-8 binary), rebuilt lazily after a change. */
  sorted?: string[];
}

/**
 * Buckets, objects and multipart uploads, with bodies as files and the index as a journal.
 *
 * Every change is decided and applied synchronously (check the preconditions, swap the record,
 * append to the journal), so two writes of one key are serialised by the event loop: of two
 * concurrent `If-None-Match: *` writes exactly one finds the key absent.
 */
export class ObjectStore {
  readonly blobs: BlobStore;
  private readonly journal: Journal<Entry>;
  private readonly buckets = new Map<string, BucketState>();
  private readonly uploads = new Map<string, UploadRecord>();
  /** Sequence of changes, and the sequence at which each key was last deleted (for 409s). */
  private sequence = 0;
  private readonly deletedAt = new Map<string, number>();
  private inFlightConditional = 0;
  /** Journal lines written since it was last compacted. */
  private appended = 0;

  constructor(stateDir: string) {
    this.blobs = new BlobStore(join(stateDir, "blobs"));
    this.journal = new Journal<Entry>(join(stateDir, "index.jsonl"));
  }

  /** Replays the journal, compacts it, and removes bodies nothing refers to. */
  load(): void {
    this.journal.load((entry) => this.apply(entry));
    this.compact();
    const referenced = new Set<string>();
    for (const bucket of this.buckets.values()) {
      for (const object of bucket.objects.values()) referenced.add(object.blob);
    }
    for (const upload of this.uploads.values()) {
      for (const part of Object.values(upload.parts)) referenced.add(part.blob);
    }
    this.blobs.collectGarbage(referenced);
  }

  /** Releases the journal's file (the state is already on disk). */
  close(): void {
    this.journal.close();
  }

  private *snapshot(): Generator<Entry> {
    for (const bucket of this.buckets.values()) {
      yield { t: "bucket", bucket: bucket.record };
      for (const object of bucket.objects.values()) {
        yield { t: "put", bucket: bucket.record.name, object };
      }
    }
    for (const upload of this.uploads.values()) yield { t: "upload", upload };
  }

  private commit(entry: Entry): void {
    this.apply(entry);
    this.journal.append(entry);
    this.appended += 1;
    // Overwrites and deletes leave stale lines: compact once they clearly outnumber live records.
    if (this.appended > COMPACT_AFTER && this.appended > 2 * this.recordCount()) this.compact();
  }

  private compact(): void {
    this.journal.rewrite(this.snapshot());
    this.appended = 0;
  }

  private recordCount(): number {
    let count = this.uploads.size;
    for (const bucket of this.buckets.values()) count += 1 + bucket.objects.size;
    return count;
  }

  private apply(entry: Entry): void {
    this.sequence += 1;
    switch (entry.t) {
      case "bucket":
        this.buckets.set(entry.bucket.name, { record: entry.bucket, objects: new Map() });
        return;
      case "rmbucket":
        this.buckets.delete(entry.name);
        return;
      case "policy": {
        const bucket = this.buckets.get(entry.name);
        if (!bucket) return;
        const { policy: _previous, ...record } = bucket.record;
        bucket.record = entry.policy === undefined ? record : { ...record, policy: entry.policy };
        return;
      }
      case "put": {
        const bucket = this.buckets.get(entry.bucket);
        if (!bucket) return;
        if (!bucket.objects.has(entry.object.key)) bucket.sorted = undefined;
        bucket.objects.set(entry.object.key, entry.object);
        return;
      }
      case "rm": {
        const bucket = this.buckets.get(entry.bucket);
        if (bucket?.objects.delete(entry.key)) bucket.sorted = undefined;
        return;
      }
      case "upload":
        this.uploads.set(entry.upload.uploadId, {
          ...entry.upload,
          parts: { ...entry.upload.parts },
        });
        return;
      case "part": {
        const upload = this.uploads.get(entry.uploadId);
        if (upload) upload.parts[String(entry.part.partNumber)] = entry.part;
        return;
      }
      case "endupload":
        this.uploads.delete(entry.uploadId);
        return;
    }
  }

  // Buckets

  listBuckets(): BucketRecord[] {
    return [...this.buckets.values()]
      .map((b) => b.record)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  bucket(name: string): BucketRecord {
    return this.bucketState(name).record;
  }

  hasBucket(name: string): boolean {
    return this.buckets.has(name);
  }

  createBucket(name: string, region: string): void {
    this.commit({ t: "bucket", bucket: { name, region, created: new Date().toISOString() } });
  }

  deleteBucket(name: string): void {
    const bucket = this.bucketState(name);
    if (bucket.objects.size > 0) throw s3Errors.bucketNotEmpty(name);
    for (const upload of this.uploads.values()) {
      if (upload.bucket === name) this.abortUpload(upload.uploadId);
    }
    this.commit({ t: "rmbucket", name });
  }

  /** Sets the bucket's policy document, or removes it (undefined). */
  setBucketPolicy(name: string, policy: string | undefined): void {
    this.bucketState(name);
    this.commit(policy === undefined ? { t: "policy", name } : { t: "policy", name, policy });
  }

  private bucketState(name: string): BucketState {
    const bucket = this.buckets.get(name);
    if (!bucket) throw s3Errors.noSuchBucket(name);
    return bucket;
  }

  // Objects

  getObject(bucket: string, key: string): ObjectRecord | undefined {
    return this.bucketState(bucket).objects.get(key);
  }

  /** Keys of a bucket in S3's listing order (binary UTF-8 order). */
  sortedKeys(bucket: string): string[] {
    const state = this.bucketState(bucket);
    if (!state.sorted) {
      state.sorted = [...state.objects.keys()]
        .map((key) => ({ key, bytes: Buffer.from(key) }))
        .sort((a, b) => Buffer.compare(a.bytes, b.bytes))
        .map((entry) => entry.key);
    }
    return state.sorted;
  }

  /**
   * Marks the start of a conditional write, so a delete of its key that lands before the write
   * commits is answered with 409 ConditionalRequestConflict, as S3 does. Call `endWrite` after.
   */
  beginWrite(conditions: WriteConditions): number {
    if (isConditional(conditions)) this.inFlightConditional += 1;
    return this.sequence;
  }

  endWrite(conditions: WriteConditions): void {
    if (!isConditional(conditions)) return;
    this.inFlightConditional -= 1;
    if (this.inFlightConditional === 0) this.deletedAt.clear();
  }

  /** Checks a write's preconditions against the current object (throws 412/404/409). */
  checkWrite(bucket: string, key: string, conditions: WriteConditions, startedAt?: number): void {
    const current = this.getObject(bucket, key);
    if (!isConditional(conditions)) return;
    const deleted = this.deletedAt.get(`${bucket}/${key}`);
    if (startedAt !== undefined && deleted !== undefined && deleted > startedAt) {
      throw s3Errors.conditionalRequestConflict(key);
    }
    if (conditions.ifNoneMatch !== undefined) {
      if (current && etagMatches(conditions.ifNoneMatch, current.etag)) {
        throw s3Errors.preconditionFailed("If-None-Match");
      }
    }
    if (conditions.ifMatch !== undefined) {
      if (!current) throw s3Errors.noSuchKey(key);
      if (!etagMatches(conditions.ifMatch, current.etag)) {
        throw s3Errors.preconditionFailed("If-Match");
      }
    }
  }

  /** Stores an object whose body is already written, if its preconditions still hold. */
  putObject(
    bucket: string,
    object: ObjectRecord,
    conditions: WriteConditions = {},
    startedAt?: number,
  ): void {
    const previous = this.getObject(bucket, object.key);
    this.checkWrite(bucket, object.key, conditions, startedAt);
    this.commit({ t: "put", bucket, object });
    if (previous && previous.blob !== object.blob) this.blobs.remove(previous.blob);
  }

  /** Deletes a key (a missing key is fine, as in S3); `ifMatch` makes it conditional. */
  deleteObject(bucket: string, key: string, ifMatch?: string): boolean {
    const current = this.getObject(bucket, key);
    if (ifMatch !== undefined) {
      if (!current) throw s3Errors.noSuchKey(key);
      if (!etagMatches(ifMatch, current.etag)) throw s3Errors.preconditionFailed("If-Match");
    }
    if (!current) return false;
    this.commit({ t: "rm", bucket, key });
    if (this.inFlightConditional > 0) this.deletedAt.set(`${bucket}/${key}`, this.sequence);
    this.blobs.remove(current.blob);
    return true;
  }

  // Multipart uploads

  createUpload(upload: UploadRecord): void {
    this.bucketState(upload.bucket);
    this.commit({ t: "upload", upload });
  }

  upload(bucket: string, key: string, uploadId: string): UploadRecord {
    this.bucketState(bucket);
    const upload = this.uploads.get(uploadId);
    if (!upload || upload.bucket !== bucket || upload.key !== key) {
      throw s3Errors.noSuchUpload(uploadId);
    }
    return upload;
  }

  listUploads(bucket: string): UploadRecord[] {
    this.bucketState(bucket);
    return [...this.uploads.values()].filter((u) => u.bucket === bucket);
  }

  putPart(bucket: string, key: string, uploadId: string, part: PartRecord): void {
    const upload = this.upload(bucket, key, uploadId);
    const previous = upload.parts[String(part.partNumber)];
    this.commit({ t: "part", uploadId, part });
    if (previous) this.blobs.remove(previous.blob);
  }

  /** Ends an upload whose object was committed (its part bodies are no longer needed). */
  finishUpload(uploadId: string): void {
    const upload = this.uploads.get(uploadId);
    if (!upload) return;
    this.commit({ t: "endupload", uploadId });
    for (const part of Object.values(upload.parts)) this.blobs.remove(part.blob);
  }

  abortUpload(uploadId: string): void {
    this.finishUpload(uploadId);
  }
}

const isConditional = (conditions: WriteConditions): boolean =>
  conditions.ifMatch !== undefined || conditions.ifNoneMatch !== undefined;

/** `*` matches any object; otherwise compare entity tags, quoted or not. */
export const etagMatches = (condition: string, etag: string): boolean => {
  const wanted = condition.split(",").map((value) => value.trim());
  const bare = etag.replace(/^"|"$/g, "");
  return wanted.some(
    (value) => value === "*" || value.replace(/^W\//, "").replace(/^"|"$/g, "") === bare,
  );
};

/** S3 lists keys in the byte order of their UTF-8 encoding. */
export const compareUtf8 = (a: string, b: string): number =>
  Buffer.compare(Buffer.from(a), Buffer.from(b));
