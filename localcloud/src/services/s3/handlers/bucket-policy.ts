import { AwsError } from "../../../server/errors";
import { parseBucketPolicy } from "../bucket-policy";
import type { S3Call, S3Context } from "../context";

/** PutBucketPolicy: the document is checked, then kept as sent (GetBucketPolicy returns it). */
export const putBucketPolicy = async (context: S3Context, call: S3Call) => {
  context.store.bucket(call.bucket);
  const text = call.request.body.toString("utf8");
  parseBucketPolicy(text);
  context.store.setBucketPolicy(call.bucket, text);
  return { status: 204, headers: {} };
};

export const getBucketPolicy = async (context: S3Context, call: S3Call) => {
  const policy = context.store.bucket(call.bucket).policy;
  if (policy === undefined) {
    throw new AwsError("NoSuchBucketPolicy", "The bucket policy does not exist", 404, {
      BucketName: call.bucket,
    });
  }
  return { status: 200, headers: { "content-type": "application/json" }, body: policy };
};

export const deleteBucketPolicy = async (context: S3Context, call: S3Call) => {
  context.store.setBucketPolicy(call.bucket, undefined);
  return { status: 204, headers: {} };
};
