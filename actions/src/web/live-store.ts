import { type CloudFrontClient, DescribeKeyValueStoreCommand } from "@aws-sdk/client-cloudfront";
import {
  type CloudFrontKeyValueStoreClient,
  DeleteKeyCommand,
  DescribeKeyValueStoreCommand as DescribeStoreDataCommand,
  GetKeyCommand,
  PutKeyCommand,
} from "@aws-sdk/client-cloudfront-keyvaluestore";
import { ConfigurationError, ExitCode, quote, ShiplineError } from "../lib/errors";

import { KVS_ARN } from "./key-value-store-name";
import { decodeLivePointer, encodeLivePointer, LIVE_KEY, type LivePointer } from "./release-router";

/** The live pointer as read, with the store's ETag that a switch is conditional on. */
export interface LiveState {
  arn: string;
  etag: string;
  /** Undefined before the first atomic release (or when the key holds something else). */
  pointer: LivePointer | undefined;
}

/** The store's ARN: given, or looked up by name on the CloudFront API. */
export async function keyValueStoreArn(
  cloudfront: CloudFrontClient,
  nameOrArn: string,
  input: string,
): Promise<string> {
  if (KVS_ARN.test(nameOrArn)) return nameOrArn;
  try {
    const described = await cloudfront.send(new DescribeKeyValueStoreCommand({ Name: nameOrArn }));
    const arn = described.KeyValueStore?.ARN;
    if (arn) return arn;
  } catch (error) {
    if ((error as { name?: string }).name !== "EntityNotFound") throw error;
  }
  throw new ConfigurationError(
    `input ${quote(input)}: no key value store named ${quote(nameOrArn)}`,
  );
}

/**
 * Reads the store's ETag and the live pointer. Reads only. `key`: production's LIVE_KEY, or a
 * preview's key (release-router.ts's previewKey).
 */
export async function readLiveState(
  kvs: CloudFrontKeyValueStoreClient,
  arn: string,
  input: string,
  key: string = LIVE_KEY,
): Promise<LiveState> {
  let etag: string;
  try {
    etag = (await kvs.send(new DescribeStoreDataCommand({ KvsARN: arn }))).ETag ?? "";
  } catch (error) {
    if ((error as { name?: string }).name === "ResourceNotFoundException") {
      throw new ConfigurationError(`input ${quote(input)}: no key value store ${quote(arn)}`, {
        cause: error,
      });
    }
    throw error;
  }
  try {
    const got = await kvs.send(new GetKeyCommand({ KvsARN: arn, Key: key }));
    return { arn, etag, pointer: decodeLivePointer(got.Value) };
  } catch (error) {
    if ((error as { name?: string }).name !== "ResourceNotFoundException") throw error;
    return { arn, etag, pointer: undefined };
  }
}

/** Another writer moved the pointer after this run read it: nothing was switched. */
export class LivePointerMovedError extends ShiplineError {
  constructor(release: string, options?: ErrorOptions) {
    super(
      `the key value store changed after this run read it (another publish or rollback?): release ${quote(release)} was not made live; run again`,
      ExitCode.FailedRolledBack,
      options,
    );
  }
}

/** How many times a switch re-reads and retries when only other keys of the store moved. */
const SWITCH_ATTEMPTS = 5;

/**
 * Makes a release live: one PutKey, conditional on the store's ETag as this run read it. The
 * edge's next request follows it (CloudFront propagates a store's writes within seconds).
 * Returns the store's new ETag.
 *
 * The ETag is the whole store's, so a write to any other key (another pull request's preview
 * going live at the same moment) also fails the condition. What must not have moved is this
 * key: when it still holds what this run read, the switch re-reads the ETag and tries again;
 * when it holds something else, another publish or rollback won and nothing is switched.
 */
export async function switchLive(
  kvs: CloudFrontKeyValueStoreClient,
  state: Pick<LiveState, "arn" | "etag" | "pointer">,
  pointer: LivePointer,
  key: string = LIVE_KEY,
): Promise<string> {
  let etag = state.etag;
  for (let attempt = 1; ; attempt++) {
    try {
      const put = await kvs.send(
        new PutKeyCommand({
          KvsARN: state.arn,
          Key: key,
          Value: encodeLivePointer(pointer),
          IfMatch: etag,
        }),
      );
      return put.ETag ?? "";
    } catch (error) {
      if ((error as { name?: string }).name !== "ConflictException") throw error;
      const now = await readLiveState(kvs, state.arn, "key-value-store", key);
      // The SDK retries a PutKey whose answer was lost; the retry then finds the store changed
      // by the first attempt. The write that counts is ours when the pointer names our release.
      if (now.pointer?.release === pointer.release) return now.etag;
      if (!samePointer(now.pointer, state.pointer) || attempt >= SWITCH_ATTEMPTS) {
        throw new LivePointerMovedError(pointer.release, { cause: error });
      }
      etag = now.etag;
    }
  }
}

function samePointer(a: LivePointer | undefined, b: LivePointer | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.release === b.release && a.assets.join("\n") === b.assets.join("\n");
}

/**
 * Removes a pointer (a closed preview's): one DeleteKey, conditional on the store's current
 * ETag, retried on a conflict (another writer moved some other key in between). A key already
 * gone is done.
 */
export async function deletePointer(
  kvs: CloudFrontKeyValueStoreClient,
  arn: string,
  key: string,
): Promise<boolean> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const state = await readLiveState(kvs, arn, "key-value-store", key);
    try {
      await kvs.send(new DeleteKeyCommand({ KvsARN: arn, Key: key, IfMatch: state.etag }));
      return true;
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === "ResourceNotFoundException") return false;
      if (name !== "ConflictException") throw error;
    }
  }
  throw new Error(`the key value store ${arn} kept changing while removing key ${quote(key)}`);
}
