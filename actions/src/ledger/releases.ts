import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import * as z from "zod";
import { ConfigurationError, quote } from "../lib/errors";
import { type ReleaseRecord, type ReleaseStatus, releaseSchema } from "../release/record";
import { isPreconditionFailed, readJson, type Versioned, writeJson } from "./json";
import { livePointerKey, releaseRecordKey, releasesPrefix } from "./keys";

export const LIVE_FORMAT = "shipline.live/1";

const liveSchema = z.object({
  format: z.literal(LIVE_FORMAT),
  environment: z.string(),
  releaseId: z.string(),
  since: z.string(),
  /** The releases that were live before, newest first: what "rollback --to previous" means. */
  previous: z.array(z.string()),
});

export type LivePointer = z.output<typeof liveSchema>;

const PREVIOUS_KEPT = 20;

/** The ledger of one environment in the deploy bucket. */
export class Ledger {
  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
    readonly ledgerPrefix: string,
    readonly environment: string,
  ) {}

  private recordKey(id: string): string {
    return releaseRecordKey(this.ledgerPrefix, this.environment, id);
  }

  /** Writes a new record; an id that exists already (a replayed run) is refused. */
  async create(record: ReleaseRecord): Promise<Versioned<ReleaseRecord>> {
    try {
      const etag = await writeJson(this.s3, this.bucket, this.recordKey(record.id), record, {
        create: true,
      });
      return { value: record, etag };
    } catch (error) {
      if (!isPreconditionFailed(error)) throw error;
      throw new ConfigurationError(
        `release ${quote(record.id)} exists already in environment "${this.environment}": give another release id`,
        { cause: error },
      );
    }
  }

  /** Replaces a record we wrote, only if nobody changed it since (If-Match). */
  async update(
    current: Versioned<ReleaseRecord>,
    record: ReleaseRecord,
  ): Promise<Versioned<ReleaseRecord>> {
    const etag = await writeJson(this.s3, this.bucket, this.recordKey(record.id), record, {
      etag: current.etag,
    });
    return { value: record, etag };
  }

  async read(id: string): Promise<ReleaseRecord | undefined> {
    return (await this.readVersioned(id))?.value;
  }

  /**
   * Settles a record a dead run left "deploying" as what was found live decides: only while it
   * still says deploying, and only over the version read (If-Match). False when it had moved on.
   */
  async settle(
    id: string,
    status: Extract<ReleaseStatus, "live" | "failed">,
    reason: string,
    now: Date,
    /** What the dead run would have recorded had it lived (its web release). */
    patch: Pick<Partial<ReleaseRecord>, "web"> = {},
  ): Promise<boolean> {
    const current = await this.readVersioned(id);
    if (current?.value.status !== "deploying") return false;
    const at = now.toISOString();
    try {
      await this.update(current, {
        ...current.value,
        ...patch,
        status,
        reconciled: { at, reason },
        ...(status === "failed" ? { failure: { step: "reconcile", message: reason } } : {}),
      });
      return true;
    } catch (error) {
      if (isPreconditionFailed(error)) return false;
      throw error;
    }
  }

  async readVersioned(id: string): Promise<Versioned<ReleaseRecord> | undefined> {
    return readJson(this.s3, this.bucket, this.recordKey(id), releaseSchema);
  }

  /** The newest records first (by creation time), at most `limit`. */
  async history(limit = 20): Promise<ReleaseRecord[]> {
    const prefix = releasesPrefix(this.ledgerPrefix, this.environment);
    const objects: { key: string; modified: number }[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key?.endsWith(".json")) {
          objects.push({ key: object.Key, modified: object.LastModified?.getTime() ?? 0 });
        }
      }
      token = page.NextContinuationToken;
    } while (token);
    // LastModified narrows the reads; createdAt orders what was read (records are updated later).
    objects.sort((a, b) => b.modified - a.modified);
    const records = await Promise.all(
      objects
        .slice(0, limit * 2)
        .map((object) => readJson(this.s3, this.bucket, object.key, releaseSchema)),
    );
    return records
      .flatMap((record) => (record ? [record.value] : []))
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0))
      .slice(0, limit);
  }

  async live(): Promise<Versioned<LivePointer> | undefined> {
    return readJson(
      this.s3,
      this.bucket,
      livePointerKey(this.ledgerPrefix, this.environment),
      liveSchema,
    );
  }

  /**
   * Makes `releaseId` the live release. Conditional on the pointer read at the start of the run
   * (If-Match, or create-only when there was none), so a pointer changed by anyone else since —
   * which the lock should make impossible — fails loudly instead of being overwritten.
   */
  async setLive(
    releaseId: string,
    readAtStart: Versioned<LivePointer> | undefined,
    now: Date,
  ): Promise<Versioned<LivePointer>> {
    const pointer: LivePointer = {
      format: LIVE_FORMAT,
      environment: this.environment,
      releaseId,
      since: now.toISOString(),
      previous: readAtStart
        ? [readAtStart.value.releaseId, ...readAtStart.value.previous]
            .filter((id) => id !== releaseId)
            .slice(0, PREVIOUS_KEPT)
        : [],
    };
    try {
      const etag = await writeJson(
        this.s3,
        this.bucket,
        livePointerKey(this.ledgerPrefix, this.environment),
        pointer,
        readAtStart ? { etag: readAtStart.etag } : { create: true },
      );
      return { value: pointer, etag };
    } catch (error) {
      if (!isPreconditionFailed(error)) throw error;
      throw new Error(
        `the live pointer of environment "${this.environment}" changed during this run although the lock was held: another tool wrote it; check "shipline history"`,
        { cause: error },
      );
    }
  }
}
