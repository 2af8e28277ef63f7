import { child, items, text, type XmlNode } from "./xml";

/**
 * AWS's managed origin request policies that include every viewer header, Host among them
 * (their published ids). AllViewerExceptHostHeader, the CORS policies and the others leave
 * Host out, so a custom origin receives its own domain name as Host, as with no policy.
 */
const FORWARDS_VIEWER_HOST = new Set([
  "216adef6-5c7f-47e4-b989-5492eafa07d3", // Managed-AllViewer
  "33f36d7e-f396-46d9-90e0-52428a34d9dc", // Managed-AllViewerAndCloudFrontHeaders-2022-06
]);

/**
 * Whether a behaviour sends the viewer's Host header to its origin: its origin request policy
 * includes it, or (a legacy behaviour) ForwardedValues' Headers name Host or "*". Otherwise
 * CloudFront sets Host to the origin's domain name.
 */
export const forwardsViewerHost = (behavior: XmlNode): boolean => {
  const policyId = text(behavior, "OriginRequestPolicyId");
  if (policyId) return FORWARDS_VIEWER_HOST.has(policyId);
  const headers = items<string>(child(child(behavior, "ForwardedValues"), "Headers"), "Name");
  return headers.some((name) => name === "*" || name.toLowerCase() === "host");
};
