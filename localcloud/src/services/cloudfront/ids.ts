import { randomInt } from "node:crypto";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

const randomId = (prefix: string, length: number): string => {
  let id = prefix;
  while (id.length < length) id += ALPHABET[randomInt(ALPHABET.length)];
  return id;
};

/** Ids shaped like CloudFront's: `E2QWRUHAPOMQZL`, `I2J0I21PCUYOIK`, ETags `E3QRI9…`. */
export const newDistributionId = (): string => randomId("E", 14);
export const newInvalidationId = (): string => randomId("I", 26);
export const newETag = (): string => randomId("E", 14);
/** The request id CloudFront puts in `X-Amz-Cf-Id` (56 characters, URL-safe base64). */
export const newCfId = (): string =>
  Buffer.from(Array.from({ length: 42 }, () => randomInt(256))).toString("base64url");
