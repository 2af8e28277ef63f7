/** Credentials for a registry: ECR's are user "AWS" and the GetAuthorizationToken password. */
export interface RegistryCredentials {
  username: string;
  password: string;
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses a WWW-Authenticate header such as `Bearer realm="https://…",service="…",scope="…"`. */
export function parseChallenge(header: string | null): Challenge | undefined {
  if (!header) return undefined;
  const match = /^\s*(\w+)\s*(.*)$/s.exec(header);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  for (const part of (match[2] ?? "").matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)) {
    params[(part[1] ?? "").toLowerCase()] = part[2] ?? part[3] ?? "";
  }
  return { scheme: (match[1] ?? "").toLowerCase(), params };
}

/** base64 of user:password: as secret as the password itself, so it is masked too. */
export function basicToken(credentials: RegistryCredentials): string {
  return Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64");
}

export function basicAuthorization(credentials: RegistryCredentials): string {
  return `Basic ${basicToken(credentials)}`;
}
