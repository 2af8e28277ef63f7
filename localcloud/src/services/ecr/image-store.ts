import { join } from "node:path";
import { JsonFile } from "../../state/json-file";
import { BlobStore, isDigest, sha256Digest } from "./blob-store";
import { ManifestError, type ParsedManifest, parseManifest } from "./manifests";
import { StoreError } from "./store-errors";

export type TagMutability = "MUTABLE" | "IMMUTABLE";

export interface ImageRecord {
  mediaType: string;
  artifactMediaType?: string;
  sizeInBytes: number;
  /** Epoch milliseconds of the first push of this digest. */
  pushedAt: number;
  blobs: string[];
  children: string[];
}

export interface RepositoryRecord {
  name: string;
  /** Epoch milliseconds. */
  createdAt: number;
  imageTagMutability: TagMutability;
  scanOnPush: boolean;
  encryptionType: string;
  kmsKey?: string;
  /** The lifecycle policy document as it was put (PutLifecyclePolicy), if any. */
  lifecyclePolicy?: string;
  /** tag → manifest digest */
  tags: Record<string, string>;
  /** manifest digest → image */
  images: Record<string, ImageRecord>;
  /** Blobs this repository may serve (uploaded into it, mounted, or referenced by its images). */
  blobs: Record<string, { mediaType?: string }>;
}

interface StoreState {
  repositories: Record<string, RepositoryRecord>;
}

export interface PutManifestInput {
  repository: string;
  bytes: Buffer;
  /** Declared media type (Content-Type, imageManifestMediaType). */
  mediaType?: string;
  tag?: string;
  /** The digest the client says the manifest has. */
  digest?: string;
  /**
   * `api` (PutImage): a push that changes nothing is ImageAlreadyExists.
   * `registry` (manifest PUT): the same push is accepted again, as ECR's registry does.
   */
  mode: "api" | "registry";
}

export interface PutManifestResult {
  digest: string;
  mediaType: string;
  tag?: string;
}

export interface ResolvedImage {
  digest: string;
  image: ImageRecord;
}

/** A repository name as ECR accepts it: lower case path components separated by `/`. */
export const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/**
 * The image store behind both the ECR API and the registry: repositories, their images
 * (manifests by digest, with media type), tags, and which blobs each repository holds. Metadata
 * is one JSON document; blob and manifest bytes live in the content-addressed BlobStore.
 */
export class ImageStore {
  readonly blobs: BlobStore;
  private readonly state: JsonFile<StoreState>;

  constructor(
    stateDir: string,
    private readonly accountId: string,
    private readonly now: () => number = Date.now,
  ) {
    this.blobs = new BlobStore(stateDir);
    this.state = new JsonFile<StoreState>(join(stateDir, "images.json"), () => ({
      repositories: {},
    }));
  }

  createRepository(input: {
    name: string;
    imageTagMutability?: TagMutability;
    scanOnPush?: boolean;
    encryptionType?: string;
    kmsKey?: string;
  }): RepositoryRecord {
    const { name } = input;
    if (name.length < 2 || name.length > 256 || !REPOSITORY_NAME.test(name)) {
      throw new StoreError(
        "InvalidParameter",
        `Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '${REPOSITORY_NAME.source}''`,
      );
    }
    if (this.state.data.repositories[name]) {
      throw new StoreError(
        "RepositoryAlreadyExists",
        `The repository with name '${name}' already exists in the registry with id '${this.accountId}'`,
      );
    }
    const record: RepositoryRecord = {
      name,
      createdAt: this.now(),
      imageTagMutability: input.imageTagMutability ?? "MUTABLE",
      scanOnPush: input.scanOnPush ?? false,
      encryptionType: input.encryptionType ?? "AES256",
      ...(input.kmsKey ? { kmsKey: input.kmsKey } : {}),
      tags: {},
      images: {},
      blobs: {},
    };
    this.state.update((data) => {
      data.repositories[name] = record;
    });
    return record;
  }

  repository(name: string): RepositoryRecord {
    const record = this.state.data.repositories[name];
    if (!record) {
      throw new StoreError(
        "RepositoryNotFound",
        `The repository with name '${name}' does not exist in the registry with id '${this.accountId}'`,
      );
    }
    return record;
  }

  findRepository(name: string): RepositoryRecord | undefined {
    return this.state.data.repositories[name];
  }

  repositories(): RepositoryRecord[] {
    return Object.values(this.state.data.repositories).sort((a, b) => a.createdAt - b.createdAt);
  }

  deleteRepository(name: string, force: boolean): RepositoryRecord {
    const record = this.repository(name);
    if (!force && Object.keys(record.images).length > 0) {
      throw new StoreError(
        "RepositoryNotEmpty",
        `The repository with name '${name}' in registry with id '${this.accountId}' cannot be deleted because it still contains images`,
      );
    }
    this.state.update((data) => {
      delete data.repositories[name];
    });
    return record;
  }

  setTagMutability(name: string, mutability: TagMutability): RepositoryRecord {
    const record = this.repository(name);
    this.state.update(() => {
      record.imageTagMutability = mutability;
    });
    return record;
  }

  setScanOnPush(name: string, scanOnPush: boolean): RepositoryRecord {
    const record = this.repository(name);
    this.state.update(() => {
      record.scanOnPush = scanOnPush;
    });
    return record;
  }

  /** Sets the repository's lifecycle policy document, or removes it (undefined). */
  setLifecyclePolicy(name: string, policy: string | undefined): RepositoryRecord {
    const record = this.repository(name);
    this.state.update(() => {
      if (policy === undefined) delete record.lifecyclePolicy;
      else record.lifecyclePolicy = policy;
    });
    return record;
  }

  /** A blob this repository can serve: linked to it and present on disk. */
  hasBlob(repository: string, digest: string): boolean {
    const record = this.findRepository(repository);
    return Boolean(record?.blobs[digest]) && this.blobs.has(digest);
  }

  /** Makes a stored blob visible in a repository (after an upload or a mount). */
  linkBlob(repository: string, digest: string): void {
    const record = this.repository(repository);
    if (record.blobs[digest]) return;
    this.state.update(() => {
      record.blobs[digest] = {};
    });
  }

  /** ECR mounts a blob that any repository of the registry holds. */
  blobInRegistry(digest: string): boolean {
    return (
      this.blobs.has(digest) &&
      Object.values(this.state.data.repositories).some((record) => record.blobs[digest])
    );
  }

  blobMediaType(repository: string, digest: string): string | undefined {
    return this.findRepository(repository)?.blobs[digest]?.mediaType;
  }

  /** Looks an image up by tag or by digest. */
  resolve(repository: string, reference: string): ResolvedImage | undefined {
    const record = this.findRepository(repository);
    if (!record) return undefined;
    const digest = isDigest(reference) ? reference : record.tags[reference];
    const image = digest ? record.images[digest] : undefined;
    return digest && image ? { digest, image } : undefined;
  }

  tagsOf(repository: string, digest: string): string[] {
    const record = this.repository(repository);
    return Object.entries(record.tags)
      .filter(([, target]) => target === digest)
      .map(([tag]) => tag)
      .sort();
  }

  readManifest(digest: string): Promise<Buffer> {
    return this.blobs.read(digest);
  }

  /**
   * Stores a manifest under its digest (and a tag), after checking what ECR checks: a valid
   * manifest of a supported type, the digest the client claims, every referenced blob or child
   * manifest present in the repository, and tag immutability.
   */
  async putManifest(input: PutManifestInput): Promise<PutManifestResult> {
    const record = this.repository(input.repository);
    let parsed: ParsedManifest;
    try {
      parsed = parseManifest(input.bytes, input.mediaType);
    } catch (error) {
      if (error instanceof ManifestError) throw new StoreError("InvalidManifest", error.message);
      throw error;
    }
    const digest = sha256Digest(input.bytes);
    if (input.digest !== undefined && input.digest !== digest) {
      throw new StoreError(
        "ImageDigestDoesNotMatch",
        `The imageDigest '${input.digest}' does not match the digest '${digest}' of the image manifest`,
      );
    }
    this.checkReferences(record, parsed);

    const { tag } = input;
    const current = tag === undefined ? undefined : record.tags[tag];
    const known = record.images[digest] !== undefined;
    if (tag !== undefined && current !== undefined && current !== digest) {
      if (record.imageTagMutability === "IMMUTABLE") {
        throw new StoreError(
          "ImageTagAlreadyExists",
          `The image tag '${tag}' already exists in the '${record.name}' repository and cannot be overwritten because the repository is immutable.`,
          [current, digest],
        );
      }
    }
    const unchanged = known && (tag === undefined || current === digest);
    if (unchanged && input.mode === "api") {
      throw new StoreError(
        "ImageAlreadyExists",
        tag === undefined
          ? "The specified image has already been pushed, and there were no changes to the manifest or image tag after the last push."
          : `Image with digest '${digest}' and tag '${tag}' already exists in the repository with name '${record.name}' in registry with id '${this.accountId}'`,
      );
    }
    if (!unchanged) {
      await this.blobs.putBytes(input.bytes);
      const pushedAt = record.images[digest]?.pushedAt ?? this.now();
      this.state.update(() => {
        record.images[digest] = {
          mediaType: parsed.mediaType,
          ...(parsed.artifactMediaType ? { artifactMediaType: parsed.artifactMediaType } : {}),
          sizeInBytes: this.sizeOf(record, parsed),
          pushedAt,
          blobs: parsed.blobs.map((blob) => blob.digest),
          children: parsed.children,
        };
        for (const blob of parsed.blobs) {
          record.blobs[blob.digest] = blob.mediaType ? { mediaType: blob.mediaType } : {};
        }
        if (tag !== undefined) record.tags[tag] = digest;
      });
    }
    return { digest, mediaType: parsed.mediaType, ...(tag !== undefined ? { tag } : {}) };
  }

  /**
   * Removes a tag, or an image with all its tags. As in ECR, removing an image's last tag
   * removes the image, and an image that an index of the repository references stays.
   */
  deleteImage(
    repository: string,
    id: { tag?: string; digest?: string },
  ): { digest: string; tag?: string } {
    const record = this.repository(repository);
    const digest = id.digest ?? (id.tag !== undefined ? record.tags[id.tag] : undefined);
    if (
      !digest ||
      !record.images[digest] ||
      (id.tag !== undefined && id.digest !== undefined && record.tags[id.tag] !== id.digest)
    ) {
      throw new StoreError("ImageNotFound", "Requested image not found");
    }
    const otherTags = Object.entries(record.tags).filter(
      ([tag, target]) => target === digest && tag !== id.tag,
    );
    const removesImage = id.tag === undefined || otherTags.length === 0;
    if (removesImage) {
      const parent = Object.entries(record.images).find(([, image]) =>
        image.children.includes(digest),
      );
      if (parent) {
        throw new StoreError(
          "ImageReferencedByManifestList",
          `Requested image is referenced by the manifest list ${parent[0]}`,
        );
      }
    }
    this.state.update(() => {
      if (removesImage) {
        delete record.images[digest];
        for (const [tag, target] of Object.entries(record.tags)) {
          if (target === digest) delete record.tags[tag];
        }
      } else if (id.tag !== undefined) {
        delete record.tags[id.tag];
      }
    });
    return { digest, ...(id.tag !== undefined ? { tag: id.tag } : {}) };
  }

  private checkReferences(record: RepositoryRecord, parsed: ParsedManifest): void {
    const missingBlobs = parsed.blobs
      .map((blob) => blob.digest)
      .filter((digest) => !(record.blobs[digest] && this.blobs.has(digest)));
    if (missingBlobs.length > 0) {
      throw new StoreError(
        "LayersNotFound",
        `Layers with digests '[${missingBlobs.join(", ")}]' required for pushing image into repository with name '${record.name}' in the registry with id '${this.accountId}' do not exist`,
        missingBlobs,
      );
    }
    const missingChildren = parsed.children.filter((digest) => !record.images[digest]);
    if (missingChildren.length > 0) {
      throw new StoreError(
        "ReferencedImagesNotFound",
        `The manifest list references images that do not exist in the repository: [${missingChildren.join(", ")}]`,
        missingChildren,
      );
    }
  }

  /** ECR's imageSizeInBytes: the layers of an image; for an index, its largest image. */
  private sizeOf(record: RepositoryRecord, parsed: ParsedManifest): number {
    if (parsed.kind === "image") return parsed.layersSize;
    return Math.max(0, ...parsed.children.map((child) => record.images[child]?.sizeInBytes ?? 0));
  }
}
