import { randomUUID } from "node:crypto";
import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { sha256Digest } from "./digest";
import type { ImageIndex } from "./types";

const REF_NAME = "org.opencontainers.image.ref.name";

/**
 * The part of the OCI Distribution API that shipline's registry client uses (blob HEAD/GET,
 * uploads, manifest GET/PUT), answered from an OCI image layout folder instead of a registry:
 * a builder "pushes" into the folder with no network and no credentials. Tags become the
 * index's ref.name annotations, which LayoutSource (and skopeo, umoci) read back.
 */
export function layoutRegistryFetch(folder: string): typeof fetch {
  const blobPath = (digest: string) => {
    const [algorithm, hex] = digest.split(":");
    if (algorithm !== "sha256" || !/^[a-f0-9]{64}$/.test(hex ?? "")) return undefined;
    return join(folder, "blobs", algorithm, hex ?? "");
  };
  const readIndex = async (): Promise<ImageIndex> =>
    JSON.parse(
      await readFile(join(folder, "index.json"), "utf8").catch(
        () => '{"schemaVersion":2,"manifests":[]}',
      ),
    ) as ImageIndex;
  const writeBlob = async (digest: string, bytes: Buffer) => {
    const path = blobPath(digest);
    if (!path) throw new Error(`not a sha256 digest: ${digest}`);
    await mkdir(join(folder, "blobs", "sha256"), { recursive: true });
    const partial = `${path}.${randomUUID()}`;
    await writeFile(partial, bytes);
    await rename(partial, path);
  };
  const answer = (status: number, body?: Buffer | string, headers: Record<string, string> = {}) =>
    new Response(body === undefined ? null : new Uint8Array(Buffer.from(body)), {
      status,
      headers,
    });

  return (async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
    const method = init?.method ?? "GET";
    const body = init?.body ? Buffer.from(init.body as Uint8Array) : undefined;
    const blob = /^\/v2\/(.+)\/blobs\/(sha256:[a-f0-9]+)$/.exec(url.pathname);
    if (blob && (method === "HEAD" || method === "GET")) {
      const path = blobPath(blob[2] ?? "");
      const size = path
        ? await stat(path).then(
            (s) => s.size,
            () => undefined,
          )
        : undefined;
      if (size === undefined) return answer(404, '{"errors":[{"code":"BLOB_UNKNOWN"}]}');
      if (method === "HEAD") return answer(200, undefined, { "content-length": String(size) });
      return answer(200, await readFile(path ?? ""));
    }
    const uploads = /^\/v2\/(.+)\/blobs\/uploads\/(.*)$/.exec(url.pathname);
    if (uploads && method === "POST") {
      // A mount is never possible: the folder holds one image. 202 opens an upload instead.
      return answer(202, undefined, {
        location: `/v2/${uploads[1]}/blobs/uploads/${randomUUID()}`,
      });
    }
    if (uploads && method === "PUT") {
      const digest = url.searchParams.get("digest") ?? "";
      const bytes = body ?? Buffer.alloc(0);
      if (sha256Digest(bytes) !== digest)
        return answer(400, '{"errors":[{"code":"DIGEST_INVALID"}]}');
      await writeBlob(digest, bytes);
      return answer(201, undefined, { "docker-content-digest": digest });
    }
    const manifest = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname);
    if (manifest && (method === "GET" || method === "HEAD")) {
      const reference = manifest[2] ?? "";
      const entry = (await readIndex()).manifests.find(
        (item) => item.digest === reference || item.annotations?.[REF_NAME] === reference,
      );
      if (!entry) return answer(404, '{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
      const bytes = await readFile(blobPath(entry.digest) ?? "");
      return answer(200, method === "HEAD" ? undefined : bytes, {
        "content-type": entry.mediaType,
        "docker-content-digest": entry.digest,
      });
    }
    if (manifest && method === "PUT" && body) {
      const reference = manifest[2] ?? "";
      const digest = sha256Digest(body);
      await writeBlob(digest, body);
      const index = await readIndex();
      const mediaType =
        (init?.headers as Record<string, string> | undefined)?.["content-type"] ??
        (JSON.parse(body.toString("utf8")) as { mediaType?: string }).mediaType ??
        "";
      const tagged = reference.startsWith("sha256:")
        ? {}
        : { annotations: { [REF_NAME]: reference } };
      index.manifests = [
        ...index.manifests.filter((item) =>
          reference.startsWith("sha256:")
            ? item.digest !== digest
            : item.annotations?.[REF_NAME] !== reference,
        ),
        { mediaType, digest, size: body.length, ...tagged },
      ];
      await writeFile(join(folder, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
      await writeFile(join(folder, "index.json"), JSON.stringify(index));
      return answer(201, undefined, { "docker-content-digest": digest });
    }
    return answer(405, `{"errors":[{"code":"UNSUPPORTED","message":"${method} ${url.pathname}"}]}`);
  }) as typeof fetch;
}
