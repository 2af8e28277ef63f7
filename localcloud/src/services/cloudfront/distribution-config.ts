import { AwsError } from "../../server/errors";
import { type CachePolicy, legacyCachePolicy, managedCachePolicy } from "./cache-policies";
import { forwardsViewerHost } from "./origin-request-policies";
import { pathPatternMatcher } from "./path-pattern";
import { bool, child, int, items, text, type XmlNode } from "./xml";

/** Where a behaviour's requests go: a bucket read in-process, or an HTTP server proxied to. */
export type Origin =
  | { kind: "s3"; id: string; bucket: string; originPath: string }
  | {
      kind: "http";
      id: string;
      host: string;
      port: number;
      originPath: string;
      readTimeoutMs: number;
    };

/** The viewer events a CloudFront Function can be associated with. */
export type FunctionEventType = "viewer-request" | "viewer-response";

export interface CacheBehavior {
  pathPattern: string;
  matches(path: string): boolean;
  origin: Origin;
  allowedMethods: string[];
  cachePolicy: CachePolicy;
  /** The viewer's Host reaches a custom origin (else Host is the origin's domain name). */
  forwardsHost: boolean;
  /** FunctionAssociations: the function ARN run for each viewer event. */
  functions: Partial<Record<FunctionEventType, string>>;
  /** `allow-all`, `redirect-to-https` or `https-only` (stored; the edge speaks HTTP only). */
  viewerProtocolPolicy: string;
}

/**
 * Whether a request the edge serves under this behaviour stands for an HTTPS one. CloudFront
 * reads an S3 origin with the protocol the viewer used, and under `redirect-to-https` or
 * `https-only` only HTTPS requests reach the origin. localcloud's edge is plain HTTP, so under
 * `allow-all` its viewers are taken as HTTP ones.
 */
export const standsForHttps = (behavior: CacheBehavior): boolean =>
  behavior.viewerProtocolPolicy !== "allow-all";

export interface CustomErrorResponse {
  errorCode: number;
  responsePagePath?: string;
  responseCode?: number;
  errorCachingMinTtl?: number;
}

/** The parts of a DistributionConfig that the edge acts on, validated as CloudFront does. */
export interface EdgeConfig {
  enabled: boolean;
  /** Alternate domain names (lower case): the Host names this distribution answers besides its own. */
  aliases: string[];
  defaultRootObject?: string;
  /** In CloudFront's order: path-pattern behaviours first, the default behaviour last. */
  behaviors: CacheBehavior[];
  customErrorResponses: CustomErrorResponse[];
}

/** `bucket.s3.amazonaws.com`, `bucket.s3.eu-west-1.amazonaws.com`, `bucket.s3-eu-west-1…`. */
const S3_REST_DOMAIN = /^(.+?)\.s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com$/;

const DEFAULT_METHODS = ["GET", "HEAD"];

export const readEdgeConfig = (config: XmlNode): EdgeConfig => {
  for (const required of ["CallerReference", "Comment", "Enabled"]) {
    if (text(config, required) === undefined) {
      throw new AwsError("InvalidArgument", `The parameter ${required} is required.`);
    }
  }
  const origins = new Map<string, Origin>();
  for (const node of items(child(config, "Origins"), "Origin")) {
    const origin = readOrigin(node);
    if (origins.has(origin.id)) {
      throw new AwsError(
        "InvalidArgument",
        `The parameter Origin Id must be unique: ${origin.id}.`,
      );
    }
    origins.set(origin.id, origin);
  }
  if (origins.size === 0) {
    throw new AwsError(
      "InvalidArgument",
      "The parameter Origins must contain at least one origin.",
    );
  }
  const defaultBehavior = child(config, "DefaultCacheBehavior");
  if (!defaultBehavior) {
    throw new AwsError("InvalidArgument", "The parameter DefaultCacheBehavior is required.");
  }
  const behaviors = [
    ...items(child(config, "CacheBehaviors"), "CacheBehavior").map((node) => {
      const pattern = text(node, "PathPattern");
      if (!pattern) throw new AwsError("InvalidArgument", "The parameter PathPattern is required.");
      return readBehavior(node, pattern, origins);
    }),
    readBehavior(defaultBehavior, "*", origins),
  ];
  const defaultRootObject = text(config, "DefaultRootObject") || undefined;
  if (defaultRootObject?.startsWith("/")) {
    throw new AwsError(
      "InvalidDefaultRootObject",
      `The specified default root object is invalid: "${defaultRootObject}" must not begin with "/".`,
    );
  }
  return {
    enabled: bool(config, "Enabled") ?? false,
    aliases: readAliases(config),
    ...(defaultRootObject ? { defaultRootObject } : {}),
    behaviors,
    customErrorResponses: items(child(config, "CustomErrorResponses"), "CustomErrorResponse").map(
      readCustomErrorResponse,
    ),
  };
};

/**
 * Aliases as CloudFront takes them: domain names, a wildcard only as the whole first label
 * (`*.example.com`, never `*domain.example.com`), no duplicates.
 */
const readAliases = (config: XmlNode): string[] => {
  const aliases = items<string>(child(config, "Aliases"), "CNAME").map((alias) =>
    String(alias).trim().toLowerCase(),
  );
  for (const alias of aliases) {
    const rest = alias.startsWith("*.") ? alias.slice(2) : alias;
    if (!/^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z0-9-]+$/.test(rest) || rest.includes("*")) {
      throw new AwsError(
        "InvalidArgument",
        `The parameter CNAME contains an invalid domain name: ${alias}.`,
      );
    }
  }
  if (new Set(aliases).size !== aliases.length) {
    throw new AwsError("InvalidArgument", "The parameter CNAME contains duplicate names.");
  }
  return aliases;
};

/**
 * Whether a viewer's Host names the distribution: its own domain name, or an alias (a wildcard
 * alias covers exactly one more label). The port is not part of the name. Hosts that are IP
 * addresses or "localhost" stand for the distribution's own domain here (its edge has no name
 * of its own on loopback); CloudFront answers every other Host with 403.
 */
export const hostNamesDistribution = (
  host: string | undefined,
  aliases: string[],
  domainName: string,
): boolean => {
  const name = (host ?? "").trim().toLowerCase().replace(/:\d+$/, "").replace(/\.$/, "");
  if (name === "" || name === "localhost" || /^[\d.]+$/.test(name) || name.startsWith("[")) {
    return true;
  }
  if (name === domainName.toLowerCase().replace(/:\d+$/, "")) return true;
  return aliases.some((alias) => {
    if (!alias.startsWith("*.")) return name === alias;
    const suffix = alias.slice(1);
    const label = name.endsWith(suffix) ? name.slice(0, -suffix.length) : "";
    return label !== "" && !label.includes(".");
  });
};

const readOrigin = (node: XmlNode): Origin => {
  const id = text(node, "Id");
  const domain = text(node, "DomainName");
  if (!id || !domain) {
    throw new AwsError("InvalidArgument", "The parameters Origin Id and DomainName are required.");
  }
  const originPath = text(node, "OriginPath") ?? "";
  if (originPath !== "" && (!originPath.startsWith("/") || originPath.endsWith("/"))) {
    throw new AwsError(
      "InvalidArgument",
      `The parameter Origin Path "${originPath}" must begin with "/" and must not end with "/".`,
    );
  }
  const s3Config =
    child(node, "S3OriginConfig") ?? (text(node, "S3OriginConfig") === "" ? {} : undefined);
  const customConfig = child(node, "CustomOriginConfig");
  if ((s3Config === undefined) === (customConfig === undefined)) {
    throw new AwsError(
      "InvalidOrigin",
      `Origin ${id}: exactly one of S3OriginConfig and CustomOriginConfig must be specified.`,
    );
  }
  if (s3Config) {
    const bucket = S3_REST_DOMAIN.exec(domain)?.[1];
    if (!bucket) {
      throw new AwsError(
        "InvalidArgument",
        `The parameter Origin DomainName does not refer to a valid S3 bucket: "${domain}".`,
      );
    }
    return { kind: "s3", id, bucket, originPath };
  }
  return {
    kind: "http",
    id,
    host: domain,
    port: int(customConfig, "HTTPPort") ?? 80,
    originPath,
    readTimeoutMs: (int(customConfig, "OriginReadTimeout") ?? 30) * 1000,
  };
};

const readBehavior = (
  node: XmlNode,
  pathPattern: string,
  origins: Map<string, Origin>,
): CacheBehavior => {
  const origin = origins.get(text(node, "TargetOriginId") ?? "");
  if (!origin) {
    throw new AwsError(
      "NoSuchOrigin",
      "One or more of your origins or origin groups do not exist.",
      404,
    );
  }
  const viewerProtocolPolicy = text(node, "ViewerProtocolPolicy");
  if (!viewerProtocolPolicy) {
    throw new AwsError("InvalidArgument", "The parameter ViewerProtocolPolicy is required.");
  }
  const methods = items<string>(child(node, "AllowedMethods"), "Method");
  return {
    pathPattern,
    matches: pathPatternMatcher(pathPattern),
    origin,
    allowedMethods: methods.length > 0 ? methods.map((m) => m.toUpperCase()) : DEFAULT_METHODS,
    cachePolicy: readCachePolicy(node),
    forwardsHost: forwardsViewerHost(node),
    functions: readFunctionAssociations(node),
    viewerProtocolPolicy,
  };
};

/**
 * FunctionAssociations of a behaviour: CloudFront Functions run on viewer events only, one
 * function per event type. (Whether each function exists and is published is checked by the
 * service, which knows the functions.)
 */
const readFunctionAssociations = (node: XmlNode): Partial<Record<FunctionEventType, string>> => {
  const functions: Partial<Record<FunctionEventType, string>> = {};
  for (const association of items(child(node, "FunctionAssociations"), "FunctionAssociation")) {
    const arn = text(association, "FunctionARN");
    const eventType = text(association, "EventType");
    if (!arn || !eventType) {
      throw new AwsError(
        "InvalidFunctionAssociation",
        "A function association needs a FunctionARN and an EventType.",
      );
    }
    if (eventType !== "viewer-request" && eventType !== "viewer-response") {
      throw new AwsError(
        "InvalidFunctionAssociation",
        `CloudFront Functions can be associated only with viewer-request and viewer-response events, not ${eventType}.`,
      );
    }
    if (functions[eventType]) {
      throw new AwsError(
        "InvalidFunctionAssociation",
        `A cache behavior can have only one function association for the event type ${eventType}.`,
      );
    }
    functions[eventType] = arn;
  }
  return functions;
};

const readCachePolicy = (node: XmlNode): CachePolicy => {
  const policyId = text(node, "CachePolicyId");
  if (policyId) return managedCachePolicy(policyId);
  const forwarded = child(node, "ForwardedValues");
  if (!forwarded) {
    throw new AwsError(
      "InvalidArgument",
      "The parameter ForwardedValues is required when a cache policy is not specified.",
    );
  }
  return legacyCachePolicy({
    minTtl: int(node, "MinTTL"),
    defaultTtl: int(node, "DefaultTTL"),
    maxTtl: int(node, "MaxTTL"),
    queryString: bool(forwarded, "QueryString"),
  });
};

const readCustomErrorResponse = (node: XmlNode): CustomErrorResponse => {
  const errorCode = int(node, "ErrorCode");
  if (errorCode === undefined || errorCode < 400 || errorCode > 599) {
    throw new AwsError("InvalidErrorCode", `The error code ${errorCode} is not a 4xx or 5xx code.`);
  }
  const responsePagePath = text(node, "ResponsePagePath") || undefined;
  if (responsePagePath !== undefined && !responsePagePath.startsWith("/")) {
    throw new AwsError(
      "InvalidArgument",
      `ResponsePagePath "${responsePagePath}" must begin with "/".`,
    );
  }
  const responseCodeText = text(node, "ResponseCode");
  const responseCode = responseCodeText ? Number(responseCodeText) : undefined;
  if (responseCode !== undefined && !Number.isInteger(responseCode)) {
    throw new AwsError(
      "InvalidResponseCode",
      `The response code "${responseCodeText}" is not valid.`,
    );
  }
  if ((responseCode === undefined) !== (responsePagePath === undefined)) {
    throw new AwsError(
      "InvalidArgument",
      "ResponsePagePath and ResponseCode must be specified together.",
    );
  }
  const errorCachingMinTtl = int(node, "ErrorCachingMinTTL");
  return {
    errorCode,
    ...(responsePagePath !== undefined ? { responsePagePath } : {}),
    ...(responseCode !== undefined ? { responseCode } : {}),
    ...(errorCachingMinTtl !== undefined ? { errorCachingMinTtl } : {}),
  };
};
