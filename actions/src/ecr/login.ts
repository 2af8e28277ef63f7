import { type ECRClient, GetAuthorizationTokenCommand } from "@aws-sdk/client-ecr";
import type { Logger } from "../lib/logger";
import type { RegistryCredentials } from "../oci/auth";

/** What an ECR login yields. The password lives only in this object, in memory. */
export interface EcrLogin {
  /** The registry endpoint, e.g. "https://123456789012.dkr.ecr.eu-west-1.amazonaws.com". */
  endpoint: string;
  credentials: RegistryCredentials;
  expiresAt?: Date;
}

/**
 * Gets a registry password from ECR's GetAuthorizationToken and masks it (and the encoded token)
 * before anything else can print it. It is never written to disk nor put on a command line.
 */
export async function ecrLogin(ecr: ECRClient, logger: Logger): Promise<EcrLogin> {
  const response = await ecr.send(new GetAuthorizationTokenCommand({}));
  const data = response.authorizationData?.[0];
  if (!data?.authorizationToken || !data.proxyEndpoint) {
    throw new Error("ECR GetAuthorizationToken returned no token");
  }
  logger.secret(data.authorizationToken);
  const decoded = Buffer.from(data.authorizationToken, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  const username = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  logger.secret(password);
  return {
    endpoint: data.proxyEndpoint,
    credentials: { username, password },
    ...(data.expiresAt ? { expiresAt: data.expiresAt } : {}),
  };
}
