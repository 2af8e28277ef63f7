import type { ECRClient } from "@aws-sdk/client-ecr";
import { ecrLogin } from "../ecr/login";
import { describeRepository } from "../ecr/repository";
import type { Logger } from "../lib/logger";
import { layoutRegistryFetch } from "../oci/layout-registry";
import { RegistryClient } from "../oci/registry";

/** Where the image goes: a registry client with credentials, the repository and its tag policy. */
export interface PushTarget {
  kind: "ecr" | "registry";
  client: RegistryClient;
  /** Host as it appears in image names, e.g. "123456789012.dkr.ecr.eu-west-1.amazonaws.com". */
  host: string;
  repository: string;
  immutable: boolean;
  /** For the docker builder's credential helper; never logged (masked when obtained). */
  credentials?: { username: string; password: string };
}

export interface TargetSettings {
  registry?: string;
  username?: string;
  password?: string;
  repository: string;
}

export interface TargetDeps {
  logger: Logger;
  /** Creates the ECR client, only when the target is ECR. */
  ecr: () => ECRClient;
  fetch?: typeof fetch;
}

/**
 * ECR (no registry given): the repository must exist, its tag policy is read, and the registry
 * password comes from GetAuthorizationToken. Another registry: the given user and password.
 */
export async function openTarget(settings: TargetSettings, deps: TargetDeps): Promise<PushTarget> {
  const fetchOption = deps.fetch ? { fetch: deps.fetch } : {};
  if (settings.registry) {
    if (settings.password) deps.logger.secret(settings.password);
    const credentials =
      settings.username && settings.password !== undefined
        ? { username: settings.username, password: settings.password }
        : undefined;
    const client = new RegistryClient({
      registry: settings.registry,
      ...(credentials ? { credentials } : {}),
      ...fetchOption,
      mask: (secret) => deps.logger.secret(secret),
    });
    return {
      kind: "registry",
      client,
      host: client.host,
      repository: settings.repository,
      immutable: false,
      ...(credentials ? { credentials } : {}),
    };
  }
  const ecr = deps.ecr();
  const [repository, login] = await Promise.all([
    describeRepository(ecr, settings.repository),
    ecrLogin(ecr, deps.logger),
  ]);
  const client = new RegistryClient({
    registry: login.endpoint,
    credentials: login.credentials,
    ...fetchOption,
    mask: (secret) => deps.logger.secret(secret),
  });
  return {
    kind: "ecr",
    client,
    host: client.host,
    repository: settings.repository,
    immutable: repository.immutable,
    credentials: login.credentials,
  };
}

/** Host name of a layout target in messages and image names: no registry is involved. */
export const LAYOUT_HOST = "oci-layout.invalid";

/** An OCI image layout folder as the push target: written locally, no network, no credentials. */
export function layoutTarget(folder: string, repository: string): PushTarget {
  const client = new RegistryClient({
    registry: `https://${LAYOUT_HOST}`,
    fetch: layoutRegistryFetch(folder),
  });
  return { kind: "registry", client, host: client.host, repository, immutable: false };
}
