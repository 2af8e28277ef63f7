import { declaredShape } from "../lib/declaration";
import { ConfigurationError, quote } from "../lib/errors";
import {
  boolean,
  type InputsOf,
  inputSchema,
  integer,
  keyValues,
  list,
  oneOf,
  optionalParsedWith,
  optionalText,
  parsedWith,
  parseInputs,
  type RawInputs,
  textWithDefault,
} from "../lib/inputs";
import { type LayerPatterns, parseLayerPatterns } from "../oci/layer-patterns";
import { LAYOUT_PREFIX, parseLayoutReference } from "../oci/layout-reference";
import { parsePlatform } from "../oci/platform";
import { parseImageReference, parseRepositoryName, parseTag } from "../oci/reference";
import { BUILD_IMAGE } from "./build-image-declaration";
import { parseCommand } from "./command";

export { parseCommand };

/** A base image: in a registry, or in an OCI image layout folder ("oci:/path[:tag]"). */
export type BaseImage =
  | { kind: "registry"; registry: string; repository: string; reference: string }
  | { kind: "layout"; path: string; reference: string };

export function parseBaseImage(text: string): BaseImage {
  if (text.startsWith(LAYOUT_PREFIX)) {
    const { path, tag } = parseLayoutReference(text);
    if (!path)
      throw new ConfigurationError(`base image ${quote(text)} names no folder after "oci:"`);
    return { kind: "layout", path, reference: tag ?? "" };
  }
  const reference = parseImageReference(text);
  return {
    kind: "registry",
    registry: reference.registry,
    repository: reference.repository,
    // A digest pins the base exactly; a tag is resolved and then pinned by digest.
    reference: reference.digest ?? reference.tag ?? "latest",
  };
}

function parsePort(text: string): string {
  const match = /^(\d{1,5})(\/(tcp|udp|sctp))?$/.exec(text);
  if (!match || Number(match[1]) < 1 || Number(match[1]) > 65535) {
    throw new ConfigurationError(
      `port ${quote(text)} must be a number from 1 to 65535, optionally with /tcp or /udp`,
    );
  }
  return text;
}

/** The inputs of build-image, named exactly as in actions/build-image/action.yml. */
export const buildImageSchema = inputSchema(
  declaredShape(BUILD_IMAGE.inputs, {
    builder: oneOf(["oci", "buildah", "docker"], "oci"),
    /** Empty: Amazon ECR (login through the SDK). Otherwise a registry host or URL. */
    registry: optionalText(),
    layout: optionalText(),
    container: optionalText(),
    "registry-username": optionalText(),
    "registry-password": optionalText(),
    region: optionalText(),
    repository: parsedWith(parseRepositoryName),
    tags: list(),
    "previous-tag": optionalParsedWith(parseTag),
    context: textWithDefault("."),
    destination: textWithDefault("/app"),
    /** One line per layer below the last, glob patterns of `context` paths; the rest goes last. */
    layers: optionalParsedWith(parseLayerPatterns),
    "base-image": optionalParsedWith(parseBaseImage),
    platform: optionalParsedWith(parsePlatform),
    entrypoint: optionalParsedWith(parseCommand),
    cmd: optionalParsedWith(parseCommand),
    env: keyValues(),
    workdir: optionalText(),
    user: optionalText(),
    ports: list(),
    labels: keyValues(),
    "source-date-epoch": integer(0, { min: 0 }),
    "source-url": optionalText(),
    revision: optionalText(),
    "mount-from": list(),
    dockerfile: textWithDefault("Dockerfile"),
    target: optionalText(),
    "build-args": keyValues(),
    "cache-dir": optionalText(),
    "cache-repository": optionalParsedWith(parseRepositoryName),
    "dry-run": boolean(false),
  }),
);

type Parsed = InputsOf<typeof buildImageSchema>;

export type BuildImageInputs = Omit<
  Parsed,
  "platform" | "tags" | "ports" | "mount-from" | "layers"
> & {
  /** Empty: one layer holds the whole folder. */
  layers: LayerPatterns;
  platform: { os: string; architecture: string; variant?: string };
  /** At least one; the revision when none were given. */
  tags: string[];
  ports: string[];
  "mount-from": string[];
};

/** Validates build-image's raw inputs once, including the rules that span several inputs. */
export function parseBuildImageInputs(raw: RawInputs): BuildImageInputs {
  const parsed = parseInputs(buildImageSchema, raw);
  const problems: string[] = [];
  const tags = parsed.tags.length > 0 ? parsed.tags : parsed.revision ? [parsed.revision] : [];
  if (tags.length === 0)
    problems.push('input "tags" is required (or give "revision" to tag with the commit)');
  const checked = (name: string, values: string[], parse: (value: string) => string) =>
    values.flatMap((value) => {
      try {
        return [parse(value)];
      } catch (error) {
        problems.push(`input "${name}" ${(error as Error).message}`);
        return [];
      }
    });
  const validTags = checked("tags", tags, parseTag);
  const ports = checked("ports", parsed.ports, parsePort);
  const mountFrom = checked("mount-from", parsed["mount-from"], parseRepositoryName);
  if (parsed.builder === "oci" && !parsed["base-image"]) {
    problems.push('input "base-image" is required with builder "oci"');
  }
  if (parsed["registry-password"] && !parsed["registry-username"]) {
    problems.push('input "registry-username" is required when "registry-password" is given');
  }
  if (parsed.layout !== undefined && parsed.builder === "docker") {
    problems.push('input "layout" is for builders oci and buildah (docker pushes with buildx)');
  }
  if (parsed.layout !== undefined && parsed.registry !== undefined) {
    problems.push(
      'input "layout" and "registry" exclude each other (a layout is written, not pushed)',
    );
  }
  if (problems.length > 0) throw new ConfigurationError(problems.join("\n"));
  return {
    ...parsed,
    layers: parsed.layers ?? [],
    platform: parsed.platform ?? { os: "linux", architecture: "amd64" },
    tags: [...new Set(validTags)],
    ports,
    "mount-from": mountFrom,
  };
}
