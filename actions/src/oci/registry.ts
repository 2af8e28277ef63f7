import { ConfigurationError, quote } from "../lib/errors";
import { basicAuthorization, basicToken, parseChallenge, type RegistryCredentials } from "./auth";
import { sha256Digest } from "./digest";
import { ALL_MANIFEST_TYPES } from "./media-types";
import type { RawManifest } from "./types";

export interface RegistryClientOptions {
  /** "host[:port]" (https, except loopback hosts which use http) or a full "http(s)://host" URL. */
  registry: string;
  credentials?: RegistryCredentials;
  fetch?: typeof fetch;
  /**
   * Told every secret the client holds or derives (the password, base64 of user:password, each
   * bearer token) before it is first sent, so a logger can mask it: a registry may echo the
   * Authorization header back in an error message.
   */
  mask?: (secret: string) => void;
}

/** A registry answered with an unexpected status; code/message come from its error body. */
export class RegistryError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
  ) {
    super(message);
    this.name = "RegistryError";
  }
}

type Access = "pull" | "push,pull";

/** The repositories a request touches and how, for Bearer token scopes. */
interface Scope {
  repository: string;
  access: Access;
}

interface RequestOptions {
  method: string;
  /** Path after the host ("/v2/…") or an absolute upload URL returned by the registry. */
  url: string;
  scopes: Scope[];
  headers?: Record<string, string>;
  body?: Buffer;
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/;

/** Splits a registry address into the host used in image names and the URL used for requests. */
export function registryEndpoint(registry: string): { host: string; baseUrl: string } {
  if (/^https?:\/\//.test(registry)) {
    const url = new URL(registry);
    return { host: url.host, baseUrl: `${url.protocol}//${url.host}` };
  }
  const host = registry.replace(/\/+$/, "");
  return { host, baseUrl: `${LOOPBACK.test(host) ? "http" : "https"}://${host}` };
}

/**
 * A client for the OCI Distribution API, enough to push images: blob HEAD / GET, cross-repository
 * mount, monolithic upload (POST, then one PUT with the digest: ECR mishandles chunked uploads),
 * manifest GET / HEAD / PUT. Auth: Basic (ECR, htpasswd) sent up front when credentials are
 * given, or the Bearer token dance when the registry's challenge asks for it.
 */
export class RegistryClient {
  readonly host: string;
  readonly baseUrl: string;
  private readonly credentials?: RegistryCredentials;
  private readonly fetch: typeof fetch;
  private readonly mask: (secret: string) => void;
  /** Bearer tokens by scope key; undefined when the registry takes Basic. */
  private readonly tokens = new Map<string, string>();
  private bearerRealm?: { realm: string; service?: string };

  constructor(options: RegistryClientOptions) {
    const { host, baseUrl } = registryEndpoint(options.registry);
    this.host = host;
    this.baseUrl = baseUrl;
    this.mask = options.mask ?? (() => {});
    if (options.credentials) {
      this.credentials = options.credentials;
      this.mask(options.credentials.password);
      this.mask(basicToken(options.credentials));
    }
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /** The blob's size when the repository has it, undefined when not. */
  async headBlob(repository: string, digest: string): Promise<number | undefined> {
    const response = await this.request({
      method: "HEAD",
      url: `/v2/${repository}/blobs/${digest}`,
      scopes: [{ repository, access: "pull" }],
    });
    if (response.status === 404) return undefined;
    await this.expect(response, [200], `HEAD blob ${digest} in ${repository}`);
    return Number(response.headers.get("content-length") ?? "0");
  }

  async getBlob(repository: string, digest: string): Promise<Buffer> {
    const response = await this.request({
      method: "GET",
      url: `/v2/${repository}/blobs/${digest}`,
      scopes: [{ repository, access: "pull" }],
    });
    await this.expect(response, [200], `GET blob ${digest} from ${repository}`);
    const bytes = Buffer.from(await response.arrayBuffer());
    if (sha256Digest(bytes) !== digest) {
      throw new RegistryError(`blob ${digest} from ${repository} does not match its digest`, 200);
    }
    return bytes;
  }

  /**
   * Asks the registry to link a blob from another repository of the same registry. Returns true
   * when mounted; false when the registry declined (it then opened an upload, which is left to
   * expire: registries clean those up).
   */
  async mountBlob(repository: string, digest: string, from: string): Promise<boolean> {
    const query = new URLSearchParams({ mount: digest, from });
    const response = await this.request({
      method: "POST",
      url: `/v2/${repository}/blobs/uploads/?${query}`,
      scopes: [
        { repository, access: "push,pull" },
        { repository: from, access: "pull" },
      ],
    });
    if (response.status === 201) return true;
    await this.expect(response, [202], `mount ${digest} from ${from} into ${repository}`);
    return false;
  }

  /** Uploads a whole blob: POST opens the upload, one PUT with ?digest= completes it. */
  async uploadBlob(repository: string, digest: string, data: Buffer): Promise<void> {
    await this.finishUpload(repository, await this.startUpload(repository), digest, data);
  }

  /**
   * Opens an upload (POST) and returns where to PUT the blob. Opened ahead of time, while the
   * blob is still being compressed; one never completed is left to expire, as registries do.
   */
  async startUpload(repository: string): Promise<string> {
    const start = await this.request({
      method: "POST",
      url: `/v2/${repository}/blobs/uploads/`,
      scopes: [{ repository, access: "push,pull" }],
    });
    await this.expect(start, [202], `start an upload to ${repository}`);
    const location = start.headers.get("location");
    if (!location) throw new RegistryError("upload started without a Location header", 202);
    return location;
  }

  /** Sends the whole blob to an opened upload in one PUT with ?digest= (monolithic upload). */
  async finishUpload(
    repository: string,
    location: string,
    digest: string,
    data: Buffer,
  ): Promise<void> {
    const url = new URL(location, this.baseUrl);
    url.searchParams.set("digest", digest);
    const finish = await this.request({
      method: "PUT",
      url: url.toString(),
      scopes: [{ repository, access: "push,pull" }],
      headers: {
        "content-type": "application/octet-stream",
        "content-length": String(data.length),
      },
      body: data,
    });
    await this.expect(finish, [201], `upload ${digest} to ${repository}`);
  }

  /** The manifest under a tag or digest, or undefined when there is none. */
  async getManifest(
    repository: string,
    reference: string,
    accept: readonly string[] = ALL_MANIFEST_TYPES,
  ): Promise<RawManifest | undefined> {
    const response = await this.request({
      method: "GET",
      url: `/v2/${repository}/manifests/${reference}`,
      scopes: [{ repository, access: "pull" }],
      headers: { accept: accept.join(", ") },
    });
    if (response.status === 404) return undefined;
    await this.expect(response, [200], `GET manifest ${repository}:${reference}`);
    const bytes = Buffer.from(await response.arrayBuffer());
    const mediaType =
      response.headers.get("content-type")?.split(";")[0]?.trim() ||
      (JSON.parse(bytes.toString("utf8")) as { mediaType?: string }).mediaType ||
      "";
    return { mediaType, bytes, digest: sha256Digest(bytes) };
  }

  /**
   * Stores a manifest under a tag (or its digest) and returns its digest, checked against the
   * registry's Docker-Content-Digest so a registry that rewrote the manifest is caught.
   */
  async putManifest(repository: string, reference: string, manifest: RawManifest): Promise<string> {
    const digest = sha256Digest(manifest.bytes);
    const response = await this.request({
      method: "PUT",
      url: `/v2/${repository}/manifests/${reference}`,
      scopes: [{ repository, access: "push,pull" }],
      headers: { "content-type": manifest.mediaType },
      body: manifest.bytes,
    });
    await this.expect(response, [201, 200], `PUT manifest ${repository}:${reference}`);
    const echoed = response.headers.get("docker-content-digest");
    if (echoed && echoed !== digest) {
      throw new RegistryError(
        `registry stored manifest ${repository}:${reference} as ${echoed}, but its bytes hash to ${digest}`,
        response.status,
      );
    }
    return digest;
  }

  private async request(options: RequestOptions): Promise<Response> {
    let response = await this.send(options, await this.authorization(options.scopes));
    if (response.status !== 401) return response;
    const challenge = parseChallenge(response.headers.get("www-authenticate"));
    await response.body?.cancel();
    if (!this.credentials && challenge?.scheme !== "bearer") {
      throw new ConfigurationError(
        `registry ${this.host} requires credentials for ${options.method} ${this.describeUrl(options.url)}`,
      );
    }
    if (challenge?.scheme === "bearer" && challenge.params.realm) {
      this.bearerRealm = {
        realm: challenge.params.realm,
        ...(challenge.params.service ? { service: challenge.params.service } : {}),
      };
      this.tokens.delete(scopeKey(options.scopes));
    }
    response = await this.send(options, await this.authorization(options.scopes));
    if (response.status === 401) {
      await response.body?.cancel();
      throw new ConfigurationError(
        `registry ${this.host} rejected the credentials (user ${quote(this.credentials?.username)}); for ECR the token may have expired (they last 12 hours)`,
      );
    }
    return response;
  }

  private async authorization(scopes: Scope[]): Promise<string | undefined> {
    if (!this.bearerRealm)
      return this.credentials ? basicAuthorization(this.credentials) : undefined;
    const key = scopeKey(scopes);
    const cached = this.tokens.get(key);
    if (cached) return `Bearer ${cached}`;
    const url = new URL(this.bearerRealm.realm);
    if (this.bearerRealm.service) url.searchParams.set("service", this.bearerRealm.service);
    for (const scope of scopes) {
      url.searchParams.append("scope", `repository:${scope.repository}:${scope.access}`);
    }
    const response = await this.fetch(url, {
      headers: this.credentials ? { authorization: basicAuthorization(this.credentials) } : {},
    });
    if (response.status === 401 || response.status === 403) {
      throw new ConfigurationError(
        `registry ${this.host}: the token service refused the credentials`,
      );
    }
    await this.expect(response, [200], `get a token from ${url.host}`);
    const body = (await response.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError("token service answered without a token", 200);
    this.mask(token);
    this.tokens.set(key, token);
    return `Bearer ${token}`;
  }

  private async send(
    options: RequestOptions,
    authorization: string | undefined,
  ): Promise<Response> {
    const url = /^https?:\/\//.test(options.url) ? options.url : `${this.baseUrl}${options.url}`;
    try {
      return await this.fetch(url, {
        method: options.method,
        headers: { ...(options.headers ?? {}), ...(authorization ? { authorization } : {}) },
        ...(options.body ? { body: options.body } : {}),
        redirect: "follow",
      });
    } catch (error) {
      // fetch says only "fetch failed"; the cause has the reason (ECONNREFUSED, ENOTFOUND, …).
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason = cause?.code ?? cause?.message ?? (error as Error).message;
      const message = `cannot reach registry ${this.host} at ${this.baseUrl} (${reason})`;
      if (cause?.code === "ECONNREFUSED" || cause?.code === "ENOTFOUND") {
        throw new ConfigurationError(`${message}: check the registry address`, { cause: error });
      }
      throw new Error(message, { cause: error });
    }
  }

  private async expect(response: Response, ok: number[], what: string): Promise<void> {
    if (ok.includes(response.status)) return;
    const text = response.status === 204 ? "" : await response.text().catch(() => "");
    let code: string | undefined;
    let detail = text.slice(0, 300);
    try {
      const first = (JSON.parse(text) as { errors?: { code?: string; message?: string }[] })
        .errors?.[0];
      if (first) {
        code = first.code;
        detail = `${first.code ?? ""}: ${first.message ?? ""}`;
      }
    } catch {
      // Not a JSON error body: keep the text.
    }
    throw new RegistryError(
      `${what} at ${this.host} failed with HTTP ${response.status}${detail ? ` (${detail})` : ""}`,
      response.status,
      code,
    );
  }

  private describeUrl(url: string): string {
    return url.replace(/[?].*$/, "");
  }
}

function scopeKey(scopes: Scope[]): string {
  return scopes.map((scope) => `${scope.repository}:${scope.access}`).join(" ");
}
