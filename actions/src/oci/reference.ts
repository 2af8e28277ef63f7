import { ConfigurationError, quote } from "../lib/errors";
import { DIGEST_PATTERN } from "./digest-pattern";

/** A parsed image reference: `registry/repository[:tag][@digest]`. */
export interface ImageReference {
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

export const DOCKER_HUB = "docker.io";

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const HOST =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::\d+)?$|^\[[0-9a-fA-F:]+\](?::\d+)?$/;

function invalid(text: string, why: string): never {
  throw new ConfigurationError(
    `image reference ${quote(text)} is not valid: ${why} (expected registry/repository:tag or registry/repository@sha256:<64 hex>)`,
  );
}

/**
 * Parses an image reference with Docker's rules: the first path part is a registry host when it
 * contains "." or ":" or is "localhost"; otherwise the image is on Docker Hub ("library/" added
 * for single names).
 */
export function parseImageReference(text: string): ImageReference {
  if (text !== text.trim() || text.length === 0) invalid(text, "it is empty or has spaces");
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST_PATTERN.test(digest))
      invalid(text, `digest ${quote(digest)} is not sha256:<64 hex>`);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) invalid(text, `tag ${quote(tag)} has characters a tag cannot have`);
  }
  const slash = rest.indexOf("/");
  const first = slash >= 0 ? rest.slice(0, slash) : "";
  let registry = DOCKER_HUB;
  let repository = rest;
  if (slash >= 0 && (first.includes(".") || first.includes(":") || first === "localhost")) {
    registry = first;
    repository = rest.slice(slash + 1);
    if (!HOST.test(registry)) invalid(text, `registry ${quote(registry)} is not a host name`);
  } else if (slash < 0) {
    repository = `library/${rest}`;
  }
  for (const component of repository.split("/")) {
    if (!COMPONENT.test(component)) {
      invalid(
        text,
        `repository part ${quote(component)} must be lowercase letters, digits and . _ -`,
      );
    }
  }
  return { registry, repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** `registry/repository[:tag][@digest]`. */
export function formatImageReference(reference: ImageReference): string {
  return `${reference.registry}/${reference.repository}${reference.tag ? `:${reference.tag}` : ""}${
    reference.digest ? `@${reference.digest}` : ""
  }`;
}

/** A repository name as a registry path component, checked like the repository of a reference. */
export function parseRepositoryName(text: string): string {
  const name = text.trim();
  if (name === "" || !name.split("/").every((component) => COMPONENT.test(component))) {
    throw new ConfigurationError(
      `repository ${quote(text)} is not a valid repository name (lowercase letters, digits, . _ - and /)`,
    );
  }
  return name;
}

export function parseTag(text: string): string {
  if (!TAG.test(text)) {
    throw new ConfigurationError(
      `tag ${quote(text)} is not valid (letters, digits, _ . -; at most 128; not starting with . or -)`,
    );
  }
  return text;
}
