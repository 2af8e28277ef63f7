import type { AwsRequest, AwsResponse } from "../../../server/aws-request";
import type { S3Call, S3Context } from "../context";
import { s3Errors } from "../errors";
import { isoTime, parseXmlBody, s3XmlResponse } from "../xml";

const OWNER_NAME = "localcloud";

/** S3's rules for general purpose bucket names. */
const VALID_BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export const validBucketName = (name: string): boolean =>
  VALID_BUCKET_NAME.test(name) && !name.includes("..") && !/^\d+\.\d+\.\d+\.\d+$/.test(name);

export const listBuckets = async (
  context: S3Context,
  request: AwsRequest,
): Promise<AwsResponse> => {
  const prefix = request.query.prefix ?? "";
  const buckets = context.store.listBuckets().filter((b) => b.name.startsWith(prefix));
  return s3XmlResponse("ListAllMyBucketsResult", {
    Owner: { ID: context.accountId, DisplayName: OWNER_NAME },
    Buckets: {
      Bucket: buckets.map((b) => ({
        Name: b.name,
        CreationDate: isoTime(b.created),
        BucketRegion: b.region,
      })),
    },
  });
};

/**
 * CreateBucket. An existing bucket of ours is 200 in us-east-1 and BucketAlreadyOwnedByYou (409)
 * elsewhere, as S3 answers.
 */
export const createBucket = async (context: S3Context, call: S3Call): Promise<AwsResponse> => {
  const { bucket, request } = call;
  if (!validBucketName(bucket)) throw s3Errors.invalidBucketName(bucket);
  let region = "us-east-1";
  if (request.body.length > 0) {
    const configuration = parseXmlBody(request.body, "CreateBucketConfiguration");
    const constraint = configuration.LocationConstraint;
    if (typeof constraint === "string" && constraint !== "") region = constraint;
  }
  if (context.store.hasBucket(bucket)) {
    if (region !== "us-east-1" || context.region !== "us-east-1") {
      throw s3Errors.bucketAlreadyOwnedByYou(bucket);
    }
  } else {
    context.store.createBucket(bucket, region);
  }
  return { status: 200, headers: { location: `/${bucket}` } };
};

export const headBucket = async (context: S3Context, call: S3Call): Promise<AwsResponse> => {
  const record = context.store.bucket(call.bucket);
  return { status: 200, headers: { "x-amz-bucket-region": record.region } };
};

export const deleteBucket = async (context: S3Context, call: S3Call): Promise<AwsResponse> => {
  context.store.deleteBucket(call.bucket);
  return { status: 204 };
};

export const getBucketLocation = async (context: S3Context, call: S3Call): Promise<AwsResponse> => {
  const record = context.store.bucket(call.bucket);
  // us-east-1 is reported as an empty constraint.
  const constraint = record.region === "us-east-1" ? "" : record.region;
  return s3XmlResponse("LocationConstraint", constraint === "" ? {} : { "#text": constraint });
};

/** Versioning is never enabled in localcloud: an empty configuration, as for a new bucket. */
export const getBucketVersioning = async (
  context: S3Context,
  call: S3Call,
): Promise<AwsResponse> => {
  context.store.bucket(call.bucket);
  return s3XmlResponse("VersioningConfiguration", {});
};
