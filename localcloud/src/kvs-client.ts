import { type LookupAddress, type LookupOptions, lookup as systemLookup } from "node:dns";
import { Agent } from "node:http";
import type { Localcloud } from "./cloud";
// The SDK signs SigV4A only with a registered signer: importing the pure-JavaScript one registers
// it (the alternative, the CRT, is a native module).
import "@aws-sdk/signature-v4a";

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * The KeyValueStore SDK derives its endpoint from the store's ARN: with an `endpoint` override
 * `http://localhost:4566` it calls `http://<account>.localhost:4566` (an IP address cannot be
 * prefixed: `http://<account>.127.0.0.1` is not a valid URL). This lookup answers such names
 * with loopback (`*.localhost`) or with the address spelt in them (`*.10-0-0-1.ipv4.localhost`)
 * and leaves every other name to the system resolver, so the SDK reaches localcloud unchanged
 * (the Host header, which the signature covers, keeps the name the SDK chose).
 */
export const accountPrefixedLookup = (
  hostname: string,
  options: LookupOptions | LookupCallback,
  callback?: LookupCallback,
): void => {
  const done = (typeof options === "function" ? options : callback) as LookupCallback;
  const opts = typeof options === "function" ? {} : options;
  const spelt = /(?:^|\.)(\d{1,3}-\d{1,3}-\d{1,3}-\d{1,3})\.ipv4\.localhost$/.exec(hostname)?.[1];
  const address =
    spelt?.replaceAll("-", ".") ??
    (hostname === "localhost" || hostname.endsWith(".localhost") ? "127.0.0.1" : undefined);
  if (!address) {
    systemLookup(hostname, { ...opts, all: true }, (error, addresses) =>
      opts.all
        ? done(error, addresses)
        : done(error, addresses[0]?.address ?? "", addresses[0]?.family),
    );
    return;
  }
  if (opts.all) done(null, [{ address, family: 4 }]);
  else done(null, address, 4);
};

/** localcloud's endpoint with a host name the SDK can prefix with an account id. */
export const keyValueStoreEndpoint = (endpoint: string): string => {
  const url = new URL(endpoint);
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(url.hostname)) {
    url.hostname =
      url.hostname === "127.0.0.1"
        ? "localhost"
        : `${url.hostname.replaceAll(".", "-")}.ipv4.localhost`;
  }
  return url.toString().replace(/\/$/, "");
};

/** Settings for `new CloudFrontKeyValueStoreClient(...)` that reach this localcloud. */
export const keyValueStoreClientConfig = (
  cloud: Pick<Localcloud, "endpoint" | "region" | "credentials">,
) => ({
  endpoint: keyValueStoreEndpoint(cloud.endpoint),
  region: cloud.region,
  credentials: cloud.credentials,
  requestHandler: { httpAgent: new Agent({ lookup: accountPrefixedLookup, keepAlive: true }) },
});
