import type { AwsRequest, AwsResponse } from "../../../server/aws-request";
import { AwsError } from "../../../server/errors";
import { page, pagingOf, xml } from "../documents";
import { newETag } from "../ids";
import { checkIfMatch } from "../if-match";
import { API_VERSION } from "../routes";
import { child, parseRoot, text, type XmlNode } from "../xml";
import type { KeyValueStores, StoredKeyValueStore } from "./kvs-store";

export interface KeyValueStoresApiDependencies {
  stores: KeyValueStores;
  accountId: string;
  apiEndpoint(): string;
  /** Whether a function (either stage) is associated with this store. */
  isAssociated(arn: string): boolean;
}

const NAME = /^[a-zA-Z0-9-_]{1,64}$/;

const notFound = () =>
  new AwsError("EntityNotFound", "The key value store entity was not found.", 404);

/** Key value stores in the CloudFront API: create, describe, update (comment), delete, list. */
export class KeyValueStoresApi {
  constructor(private readonly deps: KeyValueStoresApiDependencies) {}

  handle(operation: string, name: string, request: AwsRequest): AwsResponse | undefined {
    switch (operation) {
      case "CreateKeyValueStore":
        return this.create(request);
      case "DescribeKeyValueStore":
        return this.describe(name);
      case "UpdateKeyValueStore":
        return this.update(name, request);
      case "DeleteKeyValueStore":
        return this.delete(name, request);
      case "ListKeyValueStores":
        return this.list(request);
      default:
        return undefined;
    }
  }

  private create(request: AwsRequest): AwsResponse {
    const body = parseRoot(request.body, "CreateKeyValueStoreRequest");
    const name = text(body, "Name") ?? "";
    if (!NAME.test(name)) {
      throw new AwsError(
        "InvalidArgument",
        `The key value store name "${name}" is invalid: use 1 to 64 letters, digits, hyphens and underscores.`,
      );
    }
    if (child(body, "ImportSource")) {
      throw new AwsError(
        "UnsupportedOperation",
        "localcloud does not import key value stores from S3; put the keys with the cloudfront-keyvaluestore API.",
      );
    }
    if (this.deps.stores.byName(name)) {
      throw new AwsError(
        "EntityAlreadyExists",
        `A key value store named ${name} already exists.`,
        409,
      );
    }
    const store = this.deps.stores.create(
      this.deps.accountId,
      name,
      text(body, "Comment") ?? "",
      Date.now(),
    );
    return xml({ KeyValueStore: document(store) }, 201, {
      etag: store.etag,
      location: `${this.deps.apiEndpoint()}/${API_VERSION}/key-value-store/${store.arn}`,
    });
  }

  private describe(name: string): AwsResponse {
    const store = this.store(name);
    return xml({ KeyValueStore: document(store) }, 200, { etag: store.etag });
  }

  private update(name: string, request: AwsRequest): AwsResponse {
    const store = this.store(name);
    checkIfMatch(request, store.etag);
    const body = parseRoot(request.body, "UpdateKeyValueStoreRequest");
    store.comment = text(body, "Comment") ?? "";
    store.etag = newETag();
    store.lastModifiedAt = Date.now();
    this.deps.stores.save();
    return xml({ KeyValueStore: document(store) }, 200, { etag: store.etag });
  }

  private delete(name: string, request: AwsRequest): AwsResponse {
    const store = this.store(name);
    checkIfMatch(request, store.etag);
    if (this.deps.isAssociated(store.arn)) {
      throw new AwsError(
        "CannotDeleteEntityWhileInUse",
        "The key value store is associated with one or more functions.",
        409,
      );
    }
    this.deps.stores.remove(store.id);
    return { status: 204 };
  }

  private list(request: AwsRequest): AwsResponse {
    const { marker, maxItems } = pagingOf(request);
    const status = request.query.Status;
    const all = this.deps.stores
      .all()
      .filter(() => !status || status === "READY")
      .map((store) => ({ id: store.name, store }));
    const { items: found, nextMarker } = page(all, marker, maxItems);
    return xml({
      KeyValueStoreList: {
        ...(nextMarker ? { NextMarker: nextMarker } : {}),
        MaxItems: String(maxItems),
        Quantity: String(found.length),
        ...(found.length > 0
          ? { Items: { KeyValueStore: found.map(({ store }) => document(store)) } }
          : {}),
      },
    });
  }

  private store(name: string): StoredKeyValueStore {
    const store = this.deps.stores.byName(name);
    if (!store) throw notFound();
    return store;
  }
}

/** Stores are READY at once: localcloud has nothing to provision. */
const document = (store: StoredKeyValueStore): XmlNode => ({
  Name: store.name,
  Id: store.id,
  Comment: store.comment,
  ARN: store.arn,
  Status: "READY",
  LastModifiedTime: new Date(store.lastModifiedAt).toISOString(),
});
