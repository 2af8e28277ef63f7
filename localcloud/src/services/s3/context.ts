import type { AwsRequest } from "../../server/aws-request";
import type { ObjectStore } from "./store";

/** What every S3 operation handler works with. */
export interface S3Context {
  store: ObjectStore;
  region: string;
  accountId: string;
}

/** A request with the bucket (and key) it addresses resolved. */
export interface S3Call {
  request: AwsRequest;
  bucket: string;
  key: string;
}
