import { join } from "node:path";
import type { Readable } from "node:stream";
import { JsonFile } from "../../state/json-file";
import type { LocalcloudService, ServiceContext, ServiceFactory } from "../service";
import { EcrApi } from "./api";
import { ImageStore } from "./image-store";
import { PasswordBook, type RegistryPassword } from "./passwords";
import { RegistryServer } from "./registry-server";

const TARGET_PREFIX = "AmazonEC2ContainerRegistry_V20150921";

/** An image as the registry serves it: the manifest's exact bytes, its digest and media type. */
export interface ResolvedManifest {
  digest: string;
  mediaType: string;
  /** The stored bytes, which hash to `digest`. */
  manifest: Buffer;
}

/** What other localcloud services (ECS's task runtime) use in-process. */
export interface EcrService extends LocalcloudService {
  /** `http://127.0.0.1:PORT`, as GetAuthorizationToken's proxyEndpoint says. */
  registryUrl(): string;
  /** `127.0.0.1:PORT`: the prefix of every repositoryUri and image reference. */
  registryHost(): string;
  /** An image by tag or by digest; undefined when the repository or the image does not exist. */
  resolveImage(repository: string, tagOrDigest: string): Promise<ResolvedManifest | undefined>;
  /** A blob's bytes by digest; undefined when it is not stored. */
  readBlob(digest: string): Promise<Buffer | undefined>;
  /** A blob as a stream (large layers); undefined when it is not stored. */
  openBlob(digest: string): Readable | undefined;
  /** A fresh registry password (user `AWS`), exactly as GetAuthorizationToken issues them. */
  issueRegistryPassword(): RegistryPassword;
}

export interface EcrServiceOptions {
  /** The clock for password expiry and timestamps (tests move it forward). */
  now?: () => number;
  /**
   * Registry port. Default: the port used last time with this state folder (so repository URIs
   * stay the same across a restart), else any free port.
   */
  registryPort?: number;
}

/** Builds the ECR service factory; `ecrService` is the default one. */
export const createEcrServiceFactory = (options: EcrServiceOptions = {}): ServiceFactory => ({
  name: "ecr",
  create: (context) => createEcrService(context, options),
});

export const ecrService: ServiceFactory = createEcrServiceFactory();

const createEcrService = (context: ServiceContext, options: EcrServiceOptions): EcrService => {
  const now = options.now ?? Date.now;
  const store = new ImageStore(context.stateDir, context.accountId, now);
  const passwords = new PasswordBook(context.stateDir, now);
  const lastPort = new JsonFile<{ port?: number }>(
    join(context.stateDir, "registry.json"),
    () => ({}),
  );
  const registry = new RegistryServer({
    store,
    passwords,
    requestLog: context.requestLog,
    faults: context.faults,
    now,
  });
  let port = 0;
  const registryHost = () => {
    if (port === 0) throw new Error("localcloud: the ECR registry is not listening yet");
    return `${context.host}:${port}`;
  };
  const registryUrl = () => `http://${registryHost()}`;
  const api = new EcrApi({
    store,
    passwords,
    accountId: context.accountId,
    region: context.region,
    registryHost,
    registryUrl,
  });

  return {
    name: "ecr",
    signingName: "ecr",
    protocol: "json",
    throttlingError: { code: "ThrottlingException", status: 400, message: "Rate exceeded" },
    operationOf: (request) => {
      const target = request.header("x-amz-target") ?? "";
      return target.startsWith(`${TARGET_PREFIX}.`)
        ? target.slice(TARGET_PREFIX.length + 1)
        : "Unknown";
    },
    handle: (request, operation) => api.handle(operation, request.body),
    async start() {
      port = await registry.listen(context.host, options.registryPort ?? lastPort.data.port ?? 0);
      lastPort.update((data) => {
        data.port = port;
      });
    },
    async stop() {
      await registry.close();
      await store.blobs.close();
    },
    endpoints: () => ({ registry: registryUrl() }),
    registryUrl,
    registryHost,
    async resolveImage(repository, tagOrDigest) {
      const found = store.resolve(repository, tagOrDigest);
      if (!found) return undefined;
      return {
        digest: found.digest,
        mediaType: found.image.mediaType,
        manifest: await store.readManifest(found.digest),
      };
    },
    async readBlob(digest) {
      return store.blobs.has(digest) ? store.blobs.read(digest) : undefined;
    },
    openBlob(digest) {
      return store.blobs.has(digest) ? store.blobs.open(digest) : undefined;
    },
    issueRegistryPassword: () => passwords.issue(),
  };
};
