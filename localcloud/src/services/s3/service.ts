import type { AwsRequest } from "../../server/aws-request";
import type { LocalcloudService, ServiceContext } from "../service";
import { parseBucketPolicy, serviceMayRead } from "./bucket-policy";
import type { S3Context } from "./context";
import { s3Errors } from "./errors";
import type { StoredObject } from "./model";
import { s3Operations } from "./operations";
import { operationOf, resolveTarget } from "./routing";
import { ObjectStore } from "./store";
import { S3_XMLNS } from "./xml";

/** S3 refuses keys longer than 1,024 bytes of UTF-8. */
const MAX_KEY_BYTES = 1024;

/** S3 as other localcloud services see it: the API, plus direct reads for the CloudFront edge. */
export interface S3Service extends LocalcloudService {
  /** The object's body and headers, or undefined when the bucket or key does not exist. */
  readObject(bucket: string, key: string): Promise<StoredObject | undefined>;
  /**
   * Whether the bucket policy lets a CloudFront distribution (Origin Access Control) read the
   * key. Without a policy every read passes: localcloud does not model OAC's signing.
   * `secureTransport`: whether the read stands for one over HTTPS (`aws:SecureTransport`).
   */
  distributionMayRead(
    bucket: string,
    key: string,
    distributionArn: string,
    secureTransport: boolean,
  ): boolean;
  /**
   * Moves S3's clock forward by `ms`: the Date of its answers and the LastModified of what it
   * writes from now on, as if that time had passed. Lets a test age an object (a dead run's
   * lock) by S3's clock without waiting for it.
   */
  advanceClock(ms: number): void;
}

export const createS3Service = (context: ServiceContext): S3Service => {
  const store = new ObjectStore(context.stateDir);
  let clockAheadMs = 0;
  const s3: S3Context = {
    store,
    region: context.region,
    accountId: context.accountId,
    now: () => Date.now() + clockAheadMs,
  };
  const endpointHostname = (): string => {
    const endpoint = context.apiEndpoint();
    return endpoint === "" ? "" : new URL(endpoint).hostname;
  };
  const targetOf = (request: AwsRequest) => resolveTarget(request, endpointHostname());

  return {
    name: "s3",
    signingName: "s3",
    protocol: "rest-xml-s3",
    xmlns: S3_XMLNS,
    throttlingError: { code: "SlowDown", status: 503, message: "Please reduce your request rate." },
    operationOf: (request) => operationOf(request, targetOf(request)),
    async handle(request, operation) {
      const handler = s3Operations[operation];
      if (!handler) throw s3Errors.notImplemented();
      const target = targetOf(request);
      const expectedOwner = request.header("x-amz-expected-bucket-owner");
      if (expectedOwner !== undefined && expectedOwner !== context.accountId) {
        throw s3Errors.accessDenied();
      }
      if (target.key !== undefined && Buffer.byteLength(target.key) > MAX_KEY_BYTES) {
        throw s3Errors.keyTooLong();
      }
      const response = await handler(s3, {
        request,
        bucket: target.bucket ?? "",
        key: target.key ?? "",
      });
      // S3 names its request ids differently from the other services; SDKs read these two.
      response.headers = {
        "x-amz-request-id": request.requestId,
        "x-amz-id-2": request.requestId,
        date: new Date(s3.now()).toUTCString(),
        ...response.headers,
      };
      return response;
    },
    async start() {
      store.load();
    },
    async stop() {
      store.close();
    },
    advanceClock(ms) {
      clockAheadMs += ms;
    },
    distributionMayRead(bucket, key, distributionArn, secureTransport) {
      const policy = store.hasBucket(bucket) ? store.bucket(bucket).policy : undefined;
      if (policy === undefined) return true;
      return serviceMayRead(parseBucketPolicy(policy), {
        service: "cloudfront.amazonaws.com",
        sourceArn: distributionArn,
        sourceAccount: context.accountId,
        secureTransport,
        bucket,
        key,
        now: new Date(s3.now()),
      });
    },
    async readObject(bucket, key) {
      if (!store.hasBucket(bucket)) return undefined;
      const object = store.getObject(bucket, key);
      if (!object) return undefined;
      // Opened in the same tick as the lookup, so a concurrent overwrite cannot remove it first.
      const body = await store.blobs.read(object.blob);
      return {
        body,
        contentType: object.contentType,
        ...(object.cacheControl !== undefined ? { cacheControl: object.cacheControl } : {}),
        ...(object.contentEncoding !== undefined
          ? { contentEncoding: object.contentEncoding }
          : {}),
        etag: object.etag,
        lastModified: new Date(object.lastModified),
        size: object.size,
        metadata: { ...object.metadata },
      };
    },
  };
};
