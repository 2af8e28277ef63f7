import { AwsError } from "../../server/errors";

/** S3's errors, worded and shaped as S3 sends them (extra elements such as <Key> included). */
export const s3Errors = {
  noSuchBucket: (bucket: string) =>
    new AwsError("NoSuchBucket", "The specified bucket does not exist", 404, {
      BucketName: bucket,
    }),
  noSuchKey: (key: string) =>
    new AwsError("NoSuchKey", "The specified key does not exist.", 404, { Key: key }),
  noSuchUpload: (uploadId: string) =>
    new AwsError(
      "NoSuchUpload",
      "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
      404,
      { UploadId: uploadId },
    ),
  bucketNotEmpty: (bucket: string) =>
    new AwsError("BucketNotEmpty", "The bucket you tried to delete is not empty", 409, {
      BucketName: bucket,
    }),
  bucketAlreadyOwnedByYou: (bucket: string) =>
    new AwsError(
      "BucketAlreadyOwnedByYou",
      "Your previous request to create the named bucket succeeded and you already own it.",
      409,
      { BucketName: bucket },
    ),
  invalidBucketName: (bucket: string) =>
    new AwsError("InvalidBucketName", "The specified bucket is not valid.", 400, {
      BucketName: bucket,
    }),
  preconditionFailed: (condition: string) =>
    new AwsError(
      "PreconditionFailed",
      "At least one of the pre-conditions you specified did not hold",
      412,
      { Condition: condition },
    ),
  conditionalRequestConflict: (key: string) =>
    new AwsError(
      "ConditionalRequestConflict",
      "The conditional request cannot succeed due to a conflicting operation against this resource.",
      409,
      { Key: key },
    ),
  invalidRange: (range: string, size: number) =>
    new AwsError("InvalidRange", "The requested range is not satisfiable", 416, {
      RangeRequested: range,
      ActualObjectSize: String(size),
    }),
  malformedXml: () =>
    new AwsError(
      "MalformedXML",
      "The XML you provided was not well-formed or did not validate against our published schema",
    ),
  invalidArgument: (message: string, name?: string, value?: string) =>
    new AwsError(
      "InvalidArgument",
      message,
      400,
      name === undefined ? {} : { ArgumentName: name, ArgumentValue: value ?? "" },
    ),
  invalidRequest: (message: string) => new AwsError("InvalidRequest", message),
  badDigest: (message: string) => new AwsError("BadDigest", message),
  invalidDigest: () => new AwsError("InvalidDigest", "The Content-MD5 you specified was invalid."),
  contentSha256Mismatch: (client: string, server: string) =>
    new AwsError(
      "XAmzContentSHA256Mismatch",
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
      400,
      { ClientComputedContentSHA256: client, S3ComputedContentSHA256: server },
    ),
  incompleteBody: () =>
    new AwsError(
      "IncompleteBody",
      "You did not provide the number of bytes specified by the Content-Length HTTP header",
    ),
  invalidPart: (uploadId: string, partNumber: number, etag: string) =>
    new AwsError(
      "InvalidPart",
      "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
      400,
      { UploadId: uploadId, PartNumber: String(partNumber), ETag: etag },
    ),
  invalidPartOrder: (uploadId: string) =>
    new AwsError(
      "InvalidPartOrder",
      "The list of parts was not in ascending order. Parts must be ordered by part number.",
      400,
      { UploadId: uploadId },
    ),
  entityTooSmall: (size: number, partNumber: number, etag: string) =>
    new AwsError(
      "EntityTooSmall",
      "Your proposed upload is smaller than the minimum allowed size",
      400,
      {
        ProposedSize: String(size),
        MinSizeAllowed: String(5 * 1024 * 1024),
        PartNumber: String(partNumber),
        ETag: etag,
      },
    ),
  keyTooLong: () => new AwsError("KeyTooLongError", "Your key is too long", 400),
  accessDenied: () => new AwsError("AccessDenied", "Access Denied", 403),
  notImplemented: () =>
    new AwsError(
      "NotImplemented",
      "A header you provided implies functionality that is not implemented",
      501,
    ),
  methodNotAllowed: (method: string) =>
    new AwsError(
      "MethodNotAllowed",
      "The specified method is not allowed against this resource.",
      405,
      {
        Method: method,
        ResourceType: "OBJECT",
      },
    ),
};
