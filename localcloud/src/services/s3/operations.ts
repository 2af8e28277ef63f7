import type { AwsResponse } from "../../server/aws-request";
import type { S3Call, S3Context } from "./context";
import { deleteBucketPolicy, getBucketPolicy, putBucketPolicy } from "./handlers/bucket-policy";
import {
  createBucket,
  deleteBucket,
  getBucketLocation,
  getBucketVersioning,
  headBucket,
  listBuckets,
} from "./handlers/buckets";
import { copyObject } from "./handlers/copy";
import { deleteObjects } from "./handlers/delete-objects";
import { listObjects, listObjectsV2 } from "./handlers/list";
import {
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  listMultipartUploads,
  listParts,
  uploadPart,
} from "./handlers/multipart";
import { deleteObject, getObject, headObject, putObject } from "./handlers/objects";
import { uploadPartCopy } from "./handlers/upload-part-copy";

export type S3Handler = (context: S3Context, call: S3Call) => Promise<AwsResponse>;

/** Every operation localcloud's S3 answers, by AWS operation name. */
export const s3Operations: Record<string, S3Handler> = {
  ListBuckets: (context, call) => listBuckets(context, call.request),
  CreateBucket: createBucket,
  HeadBucket: headBucket,
  DeleteBucket: deleteBucket,
  GetBucketLocation: getBucketLocation,
  GetBucketVersioning: getBucketVersioning,
  PutBucketPolicy: putBucketPolicy,
  GetBucketPolicy: getBucketPolicy,
  DeleteBucketPolicy: deleteBucketPolicy,
  PutObject: putObject,
  GetObject: getObject,
  HeadObject: headObject,
  DeleteObject: deleteObject,
  CopyObject: copyObject,
  DeleteObjects: deleteObjects,
  ListObjectsV2: listObjectsV2,
  ListObjects: listObjects,
  CreateMultipartUpload: createMultipartUpload,
  UploadPart: uploadPart,
  UploadPartCopy: uploadPartCopy,
  CompleteMultipartUpload: completeMultipartUpload,
  AbortMultipartUpload: abortMultipartUpload,
  ListParts: listParts,
  ListMultipartUploads: listMultipartUploads,
};
