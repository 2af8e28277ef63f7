import { GetObjectCommand, type GetObjectCommandOutput, type S3Client } from "@aws-sdk/client-s3";

/** An object read together with S3's own time of the answer. */
export interface TimedObject {
  output: GetObjectCommandOutput;
  /** The response's `Date` header: when S3 answered, by S3's clock (ms since the epoch). */
  answeredAt: number | undefined;
}

/**
 * GetObject that also returns the response's `Date` header, which the SDK does not model. With
 * the object's `LastModified` from the same answer it gives the object's age by S3's clock
 * alone, whatever the runner's clock says.
 */
export async function getObjectTimed(
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<TimedObject> {
  const command = new GetObjectCommand({ Bucket: bucket, Key: key });
  let date: string | undefined;
  command.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const { headers } = result.response as { headers?: Record<string, string | undefined> };
      date = headers?.date ?? headers?.Date;
      return result;
    },
    { step: "deserialize", name: "shiplineResponseDate" },
  );
  const output = await s3.send(command);
  const parsed = date === undefined ? Number.NaN : Date.parse(date);
  return { output, answeredAt: Number.isNaN(parsed) ? undefined : parsed };
}
