import { ConfigurationError, quote } from "../lib/errors";

// Apart from the router's code, so that checking the input (on every entry's quick path) does
// not bundle the function's source.

export const KVS_ARN = /^arn:aws[a-z-]*:cloudfront::\d{12}:key-value-store\/[A-Za-z0-9-]+$/;
const KVS_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** Checks the input's shape (before any call): an ARN, or a store name. */
export function checkKeyValueStoreInput(value: string, input: string): string {
  if (KVS_ARN.test(value) || KVS_NAME.test(value)) return value;
  throw new ConfigurationError(
    `input ${quote(input)} ${quote(value)} is neither a key value store ARN like "arn:aws:cloudfront::123456789012:key-value-store/0f1e…" nor a store name`,
  );
}
