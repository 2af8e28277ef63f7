import type { AwsResponse } from "../../server/aws-request";
import type { S3Call, S3Context } from "./context";
import {
  createBucket,
  deleteBucket,
  getBucketLocation,
  getBucketVersioning,
  headBucket,
  listBuckets,
} from "./handlers/buckets";
import { deleteObject, getObject, headObject, putObject } from "./handlers/objects";

export type S3Handler = (context: S3Context, call: S3Call) => Promise<AwsResponse>;

/** Every operation localcloud's S3 answers, by AWS operation name. */
export const s3Operations: Record<string, S3Handler> = {
  ListBuckets: (context, call) => listBuckets(context, call.request),
  CreateBucket: createBucket,
  HeadBucket: headBucket,
  DeleteBucket: deleteBucket,
  GetBucketLocation: getBucketLocation,
  GetBucketVersioning: getBucketVersioning,
  PutObject: putObject,
  GetObject: getObject,
  HeadObject: headObject,
  DeleteObject: deleteObject,
};
