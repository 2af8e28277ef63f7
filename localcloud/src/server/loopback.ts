import { isIP } from "node:net";

/**
 * The hostname part of an HTTP `Host` value or a listen address, normalised the way a browser
 * does (WHATWG URL: `127.1` is `127.0.0.1`, IPv6 keeps its brackets, names are lower-cased), or
 * undefined when it is no valid host at all.
 */
export const hostnameOf = (host: string): string | undefined => {
  const bracketed = isIP(host) === 6 ? `[${host}]` : host;
  try {
    const url = new URL(`http://${bracketed}/`);
    return url.username || url.password || url.pathname !== "/" ? undefined : url.hostname;
  } catch {
    return undefined;
  }
};

/**
 * Whether a hostname only ever reaches this machine: `localhost` and its subdomains (browsers
 * and RFC 6761 resolve them to loopback, so DNS cannot rebind them), 127.0.0.0/8 and ::1.
 * Any other name may resolve anywhere, so it is not loopback.
 */
export const isLoopbackHostname = (hostname: string): boolean => {
  if (hostname === "localhost" || hostname.endsWith(".localhost")) return true;
  if (hostname === "[::1]") return true;
  return isIP(hostname) === 4 && hostname.startsWith("127.");
};
