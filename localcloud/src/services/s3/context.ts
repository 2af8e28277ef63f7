import type { AwsRequest } from "../../server/aws-request";
import type { ObjectStore } from "./store";

/** What every S3 operation handler works with. */
export interface S3Context {
  store: ObjectStore;
  region: string;
  accountId: string;
  /** S3's clock: the time of its answers and of what it writes (tests move it forward). */
  now(): number;
}

/** A request with the bucket (and key) it addresses resolved. */
export interface S3Call {
  request: AwsRequest;
  bucket: string;
  key: string;
}
