import type { S3Client } from "@aws-sdk/client-s3";
import { ConfigurationError, quote } from "../lib/errors";

/** Set to "true" or "false" to choose S3's addressing style instead of shipline's default. */
export const PATH_STYLE_VARIABLE = "AWS_S3_FORCE_PATH_STYLE";

/**
 * The user's choice of S3 addressing from the environment: true (path style:
 * endpoint/bucket/key), false (virtual host: bucket.endpoint/key), or undefined for the default.
 */
export function pathStyleChoice(env: NodeJS.ProcessEnv): boolean | undefined {
  const value = env[PATH_STYLE_VARIABLE]?.trim().toLowerCase();
  if (value === undefined || value === "") return undefined;
  if (value === "true") return true;
  if (value === "false") return false;
  throw new ConfigurationError(
    `${PATH_STYLE_VARIABLE} is ${quote(env[PATH_STYLE_VARIABLE])}: expected "true" (path-style S3 addressing) or "false" (virtual-host addressing)`,
  );
}

/**
 * Makes an S3 client address buckets by path whenever its endpoint is a custom one, wherever that
 * was configured: given to the client, AWS_ENDPOINT_URL[_S3], or endpoint_url in the shared
 * config file's profile or its services section. Local stand-ins and most S3-compatible stores do
 * not resolve bucket subdomains. The SDK reads the config file only when the first request is
 * made, so the check runs then, first in the stack, on the SDK's own (cached) lookup. An explicit
 * choice (AWS_S3_FORCE_PATH_STYLE) is set at once and never overridden.
 */
export function addressBucketsByPathOnCustomEndpoints(
  client: S3Client,
  choice: boolean | undefined,
): S3Client {
  client.config.forcePathStyle = choice ?? false;
  if (choice !== undefined) return client;
  client.middlewareStack.add(
    (next) => async (args) => {
      if (!client.config.forcePathStyle) {
        const configured = await client.config.serviceConfiguredEndpoint?.();
        if (configured !== undefined || client.config.isCustomEndpoint) {
          client.config.forcePathStyle = true;
        }
      }
      return next(args);
    },
    { step: "initialize", name: "shiplinePathStyleOnCustomEndpoints" },
  );
  return client;
}
