import type { AwsResponse } from "../../server/aws-request";
import { AwsError } from "../../server/errors";
import { jsonResponse } from "../../server/protocols";
import {
  type ImageIdInput,
  type Input,
  isOperation,
  type Operation,
  parseInput,
} from "./api-shapes";
import { isDigest } from "./blob-store";
import type { ImageRecord, ImageStore, RepositoryRecord } from "./image-store";
import { paginate } from "./pagination";
import type { PasswordBook } from "./passwords";
import { StoreError } from "./store-errors";

export interface EcrApiContext {
  store: ImageStore;
  passwords: PasswordBook;
  accountId: string;
  region: string;
  /** host:port of the registry, the prefix of every repository URI. */
  registryHost(): string;
  registryUrl(): string;
}

const seconds = (ms: number) => ms / 1000;

/** ECR's JSON 1.1 operations over the shared image store. */
export class EcrApi {
  constructor(private readonly ctx: EcrApiContext) {}

  async handle(operation: string, body: Buffer): Promise<AwsResponse> {
    if (!isOperation(operation)) {
      throw new AwsError(
        "UnknownOperationException",
        `localcloud's ECR does not implement ${operation}`,
      );
    }
    try {
      return jsonResponse(await this.dispatch(operation, body));
    } catch (error) {
      if (error instanceof StoreError) throw toAwsError(error);
      throw error;
    }
  }

  private dispatch(operation: Operation, body: Buffer): unknown {
    switch (operation) {
      case "CreateRepository":
        return this.createRepository(parseInput(operation, body));
      case "DescribeRepositories":
        return this.describeRepositories(parseInput(operation, body));
      case "DeleteRepository": {
        const input = parseInput(operation, body);
        const record = this.ctx.store.deleteRepository(input.repositoryName, input.force ?? false);
        return { repository: this.repositoryShape(record) };
      }
      case "PutImageTagMutability": {
        const input = parseInput(operation, body);
        const record = this.ctx.store.setTagMutability(
          input.repositoryName,
          input.imageTagMutability,
        );
        return {
          registryId: this.ctx.accountId,
          repositoryName: record.name,
          imageTagMutability: record.imageTagMutability,
        };
      }
      case "PutImageScanningConfiguration": {
        const input = parseInput(operation, body);
        const record = this.ctx.store.setScanOnPush(
          input.repositoryName,
          input.imageScanningConfiguration.scanOnPush ?? false,
        );
        return {
          registryId: this.ctx.accountId,
          repositoryName: record.name,
          imageScanningConfiguration: { scanOnPush: record.scanOnPush },
        };
      }
      case "PutLifecyclePolicy":
        return this.putLifecyclePolicy(parseInput(operation, body));
      case "GetLifecyclePolicy":
        return this.lifecyclePolicyShape(
          this.existingLifecyclePolicy(parseInput(operation, body).repositoryName),
        );
      case "DeleteLifecyclePolicy": {
        const record = this.existingLifecyclePolicy(parseInput(operation, body).repositoryName);
        const shape = this.lifecyclePolicyShape(record);
        this.ctx.store.setLifecyclePolicy(record.name, undefined);
        return shape;
      }
      case "GetAuthorizationToken":
        parseInput(operation, body);
        return this.getAuthorizationToken();
      case "DescribeImages":
        return this.describeImages(parseInput(operation, body));
      case "ListImages":
        return this.listImages(parseInput(operation, body));
      case "BatchGetImage":
        return this.batchGetImage(parseInput(operation, body));
      case "PutImage":
        return this.putImage(parseInput(operation, body));
      case "BatchDeleteImage":
        return this.batchDeleteImage(parseInput(operation, body));
      case "BatchCheckLayerAvailability":
        return this.batchCheckLayerAvailability(parseInput(operation, body));
    }
  }

  private createRepository(input: Input<"CreateRepository">) {
    const record = this.ctx.store.createRepository({
      name: input.repositoryName,
      ...(input.imageTagMutability ? { imageTagMutability: input.imageTagMutability } : {}),
      scanOnPush: input.imageScanningConfiguration?.scanOnPush ?? false,
      ...(input.encryptionConfiguration?.encryptionType
        ? { encryptionType: input.encryptionConfiguration.encryptionType }
        : {}),
      ...(input.encryptionConfiguration?.kmsKey
        ? { kmsKey: input.encryptionConfiguration.kmsKey }
        : {}),
    });
    return { repository: this.repositoryShape(record) };
  }

  private putLifecyclePolicy(input: Input<"PutLifecyclePolicy">) {
    let document: unknown;
    try {
      document = JSON.parse(input.lifecyclePolicyText);
    } catch {
      document = undefined;
    }
    // Rules are what a lifecycle policy is made of; localcloud keeps them but never expires images.
    if (
      typeof document !== "object" ||
      document === null ||
      !Array.isArray((document as { rules?: unknown }).rules)
    ) {
      throw new StoreError(
        "InvalidParameter",
        "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: expected a JSON object with rules'",
      );
    }
    const record = this.ctx.store.setLifecyclePolicy(
      input.repositoryName,
      input.lifecyclePolicyText,
    );
    return {
      registryId: this.ctx.accountId,
      repositoryName: record.name,
      lifecyclePolicyText: input.lifecyclePolicyText,
    };
  }

  private existingLifecyclePolicy(name: string): RepositoryRecord & { lifecyclePolicy: string } {
    const record = this.ctx.store.repository(name);
    if (record.lifecyclePolicy === undefined) {
      throw new StoreError(
        "LifecyclePolicyNotFound",
        `Lifecycle policy does not exist for the repository with name '${name}' in the registry with id '${this.ctx.accountId}'`,
      );
    }
    return record as RepositoryRecord & { lifecyclePolicy: string };
  }

  private lifecyclePolicyShape(record: RepositoryRecord & { lifecyclePolicy: string }) {
    return {
      registryId: this.ctx.accountId,
      repositoryName: record.name,
      lifecyclePolicyText: record.lifecyclePolicy,
    };
  }

  private describeRepositories(input: Input<"DescribeRepositories">) {
    const records = input.repositoryNames
      ? input.repositoryNames.map((name) => this.ctx.store.repository(name))
      : this.ctx.store.repositories();
    const { page, nextToken } = paginate(records, input.maxResults, input.nextToken);
    return {
      repositories: page.map((record) => this.repositoryShape(record)),
      ...(nextToken ? { nextToken } : {}),
    };
  }

  private getAuthorizationToken() {
    const issued = this.ctx.passwords.issue();
    return {
      authorizationData: [
        {
          authorizationToken: Buffer.from(`${issued.username}:${issued.password}`).toString(
            "base64",
          ),
          expiresAt: seconds(issued.expiresAt),
          proxyEndpoint: this.ctx.registryUrl(),
        },
      ],
    };
  }

  private describeImages(input: Input<"DescribeImages">) {
    const record = this.ctx.store.repository(input.repositoryName);
    let digests: string[];
    if (input.imageIds) {
      digests = unique(input.imageIds.map((id) => this.findImage(record, id)));
    } else {
      const status = input.filter?.tagStatus ?? "ANY";
      digests = this.sortedDigests(record).filter((digest) =>
        matchesTagStatus(status, this.ctx.store.tagsOf(record.name, digest).length > 0),
      );
    }
    const { page, nextToken } = paginate(digests, input.maxResults, input.nextToken);
    return {
      imageDetails: page.map((digest) => this.imageDetail(record, digest)),
      ...(nextToken ? { nextToken } : {}),
    };
  }

  private listImages(input: Input<"ListImages">) {
    const record = this.ctx.store.repository(input.repositoryName);
    const status = input.filter?.tagStatus ?? "ANY";
    const ids: Array<{ imageDigest: string; imageTag?: string }> = [];
    for (const digest of this.sortedDigests(record)) {
      const tags = this.ctx.store.tagsOf(record.name, digest);
      if (!matchesTagStatus(status, tags.length > 0)) continue;
      if (tags.length === 0) ids.push({ imageDigest: digest });
      for (const tag of tags) ids.push({ imageDigest: digest, imageTag: tag });
    }
    const { page, nextToken } = paginate(ids, input.maxResults, input.nextToken);
    return { imageIds: page, ...(nextToken ? { nextToken } : {}) };
  }

  private async batchGetImage(input: Input<"BatchGetImage">) {
    const record = this.ctx.store.repository(input.repositoryName);
    const images: unknown[] = [];
    const failures: unknown[] = [];
    for (const id of uniqueIds(input.imageIds)) {
      const found = this.lookup(record, id);
      if (typeof found !== "string") {
        failures.push({ imageId: id, ...found });
        continue;
      }
      const image = record.images[found] as ImageRecord;
      images.push({
        registryId: this.ctx.accountId,
        repositoryName: record.name,
        imageId: { imageDigest: found, ...(id.imageTag ? { imageTag: id.imageTag } : {}) },
        imageManifest: (await this.ctx.store.readManifest(found)).toString("utf8"),
        imageManifestMediaType: image.mediaType,
      });
    }
    return { images, failures };
  }

  private async putImage(input: Input<"PutImage">) {
    const result = await this.ctx.store.putManifest({
      repository: input.repositoryName,
      bytes: Buffer.from(input.imageManifest, "utf8"),
      ...(input.imageManifestMediaType ? { mediaType: input.imageManifestMediaType } : {}),
      ...(input.imageTag ? { tag: input.imageTag } : {}),
      ...(input.imageDigest ? { digest: input.imageDigest } : {}),
      mode: "api",
    });
    return {
      image: {
        registryId: this.ctx.accountId,
        repositoryName: input.repositoryName,
        imageId: { imageDigest: result.digest, ...(result.tag ? { imageTag: result.tag } : {}) },
        imageManifest: input.imageManifest,
        imageManifestMediaType: result.mediaType,
      },
    };
  }

  private batchDeleteImage(input: Input<"BatchDeleteImage">) {
    this.ctx.store.repository(input.repositoryName);
    const imageIds: unknown[] = [];
    const failures: unknown[] = [];
    for (const id of uniqueIds(input.imageIds)) {
      if (!id.imageDigest && !id.imageTag) {
        failures.push({
          imageId: id,
          failureCode: "MissingDigestAndTag",
          failureReason: "Invalid request parameters: both tag and digest cannot be null",
        });
        continue;
      }
      try {
        const deleted = this.ctx.store.deleteImage(input.repositoryName, {
          ...(id.imageTag ? { tag: id.imageTag } : {}),
          ...(id.imageDigest ? { digest: id.imageDigest } : {}),
        });
        imageIds.push({
          imageDigest: deleted.digest,
          ...(deleted.tag ? { imageTag: deleted.tag } : {}),
        });
      } catch (error) {
        if (!(error instanceof StoreError)) throw error;
        failures.push({
          imageId: id,
          failureCode:
            error.kind === "ImageReferencedByManifestList"
              ? "ImageReferencedByManifestList"
              : "ImageNotFound",
          failureReason: error.message,
        });
      }
    }
    return { imageIds, failures };
  }

  private batchCheckLayerAvailability(input: Input<"BatchCheckLayerAvailability">) {
    const record = this.ctx.store.repository(input.repositoryName);
    const layers: unknown[] = [];
    const failures: unknown[] = [];
    for (const digest of unique(input.layerDigests)) {
      if (!isDigest(digest)) {
        failures.push({
          layerDigest: digest,
          failureCode: "InvalidLayerDigest",
          failureReason: "Invalid layer digest",
        });
      } else if (!this.ctx.store.hasBlob(record.name, digest)) {
        failures.push({
          layerDigest: digest,
          failureCode: "MissingLayerDigest",
          failureReason: "Could not find layer",
        });
      } else {
        const mediaType = this.ctx.store.blobMediaType(record.name, digest);
        layers.push({
          layerDigest: digest,
          layerAvailability: "AVAILABLE",
          layerSize: this.ctx.store.blobs.sizeOf(digest),
          ...(mediaType ? { mediaType } : {}),
        });
      }
    }
    return { layers, failures };
  }

  private repositoryShape(record: RepositoryRecord) {
    return {
      repositoryArn: `arn:aws:ecr:${this.ctx.region}:${this.ctx.accountId}:repository/${record.name}`,
      registryId: this.ctx.accountId,
      repositoryName: record.name,
      repositoryUri: `${this.ctx.registryHost()}/${record.name}`,
      createdAt: seconds(record.createdAt),
      imageTagMutability: record.imageTagMutability,
      imageScanningConfiguration: { scanOnPush: record.scanOnPush },
      encryptionConfiguration: {
        encryptionType: record.encryptionType,
        ...(record.kmsKey ? { kmsKey: record.kmsKey } : {}),
      },
    };
  }

  private imageDetail(record: RepositoryRecord, digest: string) {
    const image = record.images[digest] as ImageRecord;
    const tags = this.ctx.store.tagsOf(record.name, digest);
    return {
      registryId: this.ctx.accountId,
      repositoryName: record.name,
      imageDigest: digest,
      ...(tags.length > 0 ? { imageTags: tags } : {}),
      imageSizeInBytes: image.sizeInBytes,
      imagePushedAt: seconds(image.pushedAt),
      imageManifestMediaType: image.mediaType,
      ...(image.artifactMediaType ? { artifactMediaType: image.artifactMediaType } : {}),
    };
  }

  private sortedDigests(record: RepositoryRecord): string[] {
    return Object.entries(record.images)
      .sort(([, a], [, b]) => a.pushedAt - b.pushedAt)
      .map(([digest]) => digest);
  }

  /** DescribeImages: an image id that matches nothing fails the whole call. */
  private findImage(record: RepositoryRecord, id: ImageIdInput): string {
    const found = this.lookup(record, id);
    if (typeof found === "string") return found;
    throw new AwsError(
      "ImageNotFoundException",
      `The image with imageId {imageDigest:'${id.imageDigest ?? "null"}', imageTag:'${id.imageTag ?? "null"}'} does not exist within the repository with name '${record.name}' in the registry with id '${this.ctx.accountId}'`,
    );
  }

  /** The digest an image id names, or the failure BatchGetImage reports for it. */
  private lookup(
    record: RepositoryRecord,
    id: ImageIdInput,
  ): string | { failureCode: string; failureReason: string } {
    if (!id.imageDigest && !id.imageTag) {
      return {
        failureCode: "MissingDigestAndTag",
        failureReason: "Invalid request parameters: both tag and digest cannot be null",
      };
    }
    const byTag = id.imageTag !== undefined ? record.tags[id.imageTag] : undefined;
    if (
      id.imageTag !== undefined &&
      id.imageDigest !== undefined &&
      byTag !== undefined &&
      byTag !== id.imageDigest
    ) {
      return {
        failureCode: "ImageTagDoesNotMatchDigest",
        failureReason: "Invalid image tag/digest pair",
      };
    }
    const digest = id.imageDigest ?? byTag;
    if (!digest || !record.images[digest] || (id.imageTag !== undefined && byTag === undefined)) {
      return { failureCode: "ImageNotFound", failureReason: "Requested image not found" };
    }
    return digest;
  }
}

const matchesTagStatus = (status: "TAGGED" | "UNTAGGED" | "ANY", tagged: boolean): boolean =>
  status === "ANY" || (status === "TAGGED") === tagged;

const unique = <T>(items: T[]): T[] => [...new Set(items)];

const uniqueIds = (ids: ImageIdInput[]): ImageIdInput[] => {
  const seen = new Set<string>();
  return ids.filter((id) => {
    const key = `${id.imageDigest ?? ""}|${id.imageTag ?? ""}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
};

const ERROR_CODES: Record<StoreError["kind"], string> = {
  RepositoryNotFound: "RepositoryNotFoundException",
  RepositoryAlreadyExists: "RepositoryAlreadyExistsException",
  RepositoryNotEmpty: "RepositoryNotEmptyException",
  ImageNotFound: "ImageNotFoundException",
  ImageAlreadyExists: "ImageAlreadyExistsException",
  ImageTagAlreadyExists: "ImageTagAlreadyExistsException",
  ImageDigestDoesNotMatch: "ImageDigestDoesNotMatchException",
  LayersNotFound: "LayersNotFoundException",
  ReferencedImagesNotFound: "ReferencedImagesNotFoundException",
  ImageReferencedByManifestList: "InvalidParameterException",
  InvalidManifest: "InvalidParameterException",
  LifecyclePolicyNotFound: "LifecyclePolicyNotFoundException",
  InvalidParameter: "InvalidParameterException",
};

const toAwsError = (error: StoreError): AwsError =>
  new AwsError(ERROR_CODES[error.kind], error.message, 400);
