import type { IncomingHttpHeaders } from "node:http";
import { firstHeader } from "./aws-request";
import { hostnameOf, isLoopbackHostname } from "./loopback";

/**
 * Why a request to the unsigned control endpoint is refused, or undefined when it may proceed.
 *
 * The control endpoint changes the cloud's behaviour (faults) and reveals every call made to it
 * (the request log) without a signature, so it must only answer local tools, never a web page:
 *
 * - `Host` must be a loopback name or address, or the address localcloud was told to listen on.
 *   A page on a rebound DNS name (attacker.example → 127.0.0.1) still sends its own name as
 *   `Host`, so DNS rebinding is refused here.
 * - A browser marks requests made by another page: `Origin` (any cross-origin fetch that is not
 *   a plain GET, and every CORS request) and `Sec-Fetch-Site`. Only the endpoint's own origin and
 *   requests the user made directly (`none`) pass. Tools such as curl, the AWS CLI and Node's
 *   fetch send neither header. No CORS header is ever granted, so a browser never lets a page
 *   read an answer either.
 */
export const controlRefusal = (
  headers: IncomingHttpHeaders,
  listenHost: string,
): string | undefined => {
  const host = firstHeader(headers, "host");
  const hostname = host === undefined ? undefined : hostnameOf(host);
  const listenName = hostnameOf(listenHost);
  if (hostname === undefined || !(isLoopbackHostname(hostname) || hostname === listenName)) {
    return `Host ${JSON.stringify(host ?? "")} is not a loopback name or address nor the address localcloud listens on`;
  }
  const origin = firstHeader(headers, "origin");
  if (origin !== undefined && origin.toLowerCase() !== `http://${host}`.toLowerCase()) {
    return `cross-origin request from ${JSON.stringify(origin)}`;
  }
  const fetchSite = firstHeader(headers, "sec-fetch-site");
  if (fetchSite !== undefined && fetchSite !== "same-origin" && fetchSite !== "none") {
    return `request made by another site (Sec-Fetch-Site: ${fetchSite})`;
  }
  return undefined;
};
