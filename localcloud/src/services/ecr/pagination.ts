import { AwsError } from "../../server/errors";

/** ECR's opaque nextToken: here the offset into a stable ordering, base64-encoded. */
export const paginate = <T>(
  items: T[],
  maxResults: number | undefined,
  nextToken: string | undefined,
  defaultPage = 100,
): { page: T[]; nextToken?: string } => {
  let start = 0;
  if (nextToken !== undefined) {
    const decoded = Number(Buffer.from(nextToken, "base64").toString("utf8"));
    if (!Number.isInteger(decoded) || decoded < 0) {
      throw new AwsError("InvalidParameterException", "Invalid parameter at 'nextToken'");
    }
    start = decoded;
  }
  const end = start + (maxResults ?? defaultPage);
  const page = items.slice(start, end);
  return end < items.length
    ? { page, nextToken: Buffer.from(String(end)).toString("base64") }
    : { page };
};
