import { type LookupAddress, type LookupOptions, lookup } from "node:dns";

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A DNS lookup that answers `localhost` and every name under it with 127.0.0.1, as RFC 6761
 * says they resolve, and leaves every other name to the system. SDK clients whose endpoint is
 * prefixed with an account id (`<account>.localhost:port`) need it to reach a local endpoint.
 */
export function loopbackLookup(
  hostname: string,
  options: LookupOptions | LookupCallback,
  callback?: LookupCallback,
): void {
  const done = (typeof options === "function" ? options : callback) as LookupCallback;
  const opts = typeof options === "function" ? {} : options;
  if (hostname !== "localhost" && !hostname.endsWith(".localhost")) {
    lookup(hostname, { ...opts, all: true }, (error, addresses) =>
      opts.all
        ? done(error, addresses)
        : done(error, addresses[0]?.address ?? "", addresses[0]?.family),
    );
    return;
  }
  if (opts.all) done(null, [{ address: "127.0.0.1", family: 4 }]);
  else done(null, "127.0.0.1", 4);
}
