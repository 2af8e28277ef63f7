import { checkReleaseId, DEFAULT_LEDGER_PREFIX, normalizePrefix } from "../ledger/keys";
import { declaredShape } from "../lib/declaration";
import { ConfigurationError, quote } from "../lib/errors";
import {
  addProblem,
  boolean,
  byteSize,
  duration,
  type InputsOf,
  input,
  inputSchema,
  integer,
  keyValues,
  list,
  oneOf,
  optionalText,
  parseInputs,
  pipe,
  type RawInputs,
  splitList,
  text,
  textWithDefault,
} from "../lib/inputs";
import { ASSET_MANIFEST_FILE } from "./asset-manifest-file";
import type { HeaderRule } from "./headers";
import { checkKeyValueStoreInput } from "./key-value-store-name";
import { PUBLISH_WEB } from "./publish-declaration";

const MIB = 1024 * 1024;

const DISTRIBUTION_ID = /^[A-Z0-9]{6,32}$/;

/** CloudFront distribution ids, one per line or comma; every malformed one is reported. */
export function distributionIds() {
  return pipe(list(), (ids: string[], ctx) => {
    for (const id of ids) {
      if (!DISTRIBUTION_ID.test(id)) {
        addProblem(ctx, `${quote(id)} is not a CloudFront distribution id like "E2QWRUHAPOMQZL"`);
      }
    }
    return ids;
  });
}

/** S3's smallest part of a multipart upload (all but the last part): a threshold below it cannot be split. */
export const MIN_PART = { bytes: 5 * MIB, why: "S3's smallest multipart part" };

/** Settings every web publish shares (publish-web, and preview publish). */
export const publishSettingsShape = {
  source: text(),
  bucket: text(),
  "distribution-id": distributionIds(),
  "release-id": optionalText(),
  revision: optionalText(),
  immutable: list(),
  /** Build metadata, not site content: its facts go into shipline's own manifest. */
  exclude: input((raw) => {
    const patterns = splitList(raw);
    return patterns.length > 0 ? patterns : [ASSET_MANIFEST_FILE];
  }),
  "entry-points": list(),
  "cache-control": keyValues(),
  "content-type": keyValues(),
  "keep-releases": integer(3, { min: 0, max: 100 }),
  "delete-limit": integer(1000, { min: 0 }),
  invalidate: boolean(true),
  wait: boolean(false),
  "wait-timeout": duration(10 * 60_000),
  concurrency: integer(16, { min: 1, max: 64 }),
  "multipart-threshold": byteSize(16 * MIB, MIN_PART),
  "ledger-prefix": textWithDefault(DEFAULT_LEDGER_PREFIX),
  url: optionalText(),
  region: optionalText(),
  "dry-run": boolean(false),
};

export const WEB_MODES = ["invalidate", "atomic"] as const;
export type WebMode = (typeof WEB_MODES)[number];

/** The web mode's inputs (mode-declaration.ts). */
export const webModeShape = {
  "web-mode": oneOf(WEB_MODES, "invalidate"),
  "key-value-store": optionalText(),
  "edge-function": optionalText(),
};

/** The inputs of publish-web, named exactly as in actions/publish-web/action.yml. */
export const publishWebSchema = inputSchema(
  declaredShape(PUBLISH_WEB.inputs, {
    ...publishSettingsShape,
    ...webModeShape,
    prefix: textWithDefault(""),
  }),
);

type Parsed = InputsOf<typeof publishWebSchema>;

export type PublishWebInputs = Omit<Parsed, "cache-control" | "content-type"> & {
  "cache-control": HeaderRule[];
  "content-type": HeaderRule[];
};

export const rules = (record: Record<string, string>): HeaderRule[] =>
  Object.entries(record).map(([pattern, value]) => ({ pattern, value: value.trim() }));

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Checks that span inputs or need more than a type: bucket name, prefixes, release id, URL. */
export function checkPublishSettings<T extends Omit<Parsed, keyof typeof webModeShape>>(
  parsed: T,
): T {
  const problems: string[] = [];
  const check = (fn: () => void) => {
    try {
      fn();
    } catch (error) {
      if (!(error instanceof ConfigurationError)) throw error;
      problems.push(error.message);
    }
  };
  if (!BUCKET.test(parsed.bucket)) {
    problems.push(
      `input "bucket" ${quote(parsed.bucket)} is not an S3 bucket name (3–63 lowercase letters, digits, "." and "-")`,
    );
  }
  const ledger = parsed["ledger-prefix"];
  check(() => {
    parsed.prefix = normalizePrefix(parsed.prefix, "prefix");
  });
  check(() => {
    parsed["ledger-prefix"] = normalizePrefix(ledger, "ledger-prefix");
    if (parsed["ledger-prefix"] === "") {
      throw new ConfigurationError(`input "ledger-prefix" must not be empty`);
    }
  });
  if (parsed.prefix.startsWith(parsed["ledger-prefix"])) {
    problems.push(
      `input "prefix" ${quote(parsed.prefix)} is inside the ledger prefix ${quote(parsed["ledger-prefix"])}, which is reserved`,
    );
  }
  if (parsed["release-id"] !== undefined) {
    check(() => checkReleaseId(parsed["release-id"] as string));
  }
  if (parsed.url !== undefined && !/^https?:\/\/[^/]+/.test(parsed.url)) {
    problems.push(
      `input "url" ${quote(parsed.url)} must be an http(s) URL like "https://www.example.com"`,
    );
  }
  if (problems.length > 0) throw new ConfigurationError(problems.join("\n"));
  return parsed;
}

const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The atomic mode needs its store; the router's name defaults to one derived from the bucket.
 * Filled in place: `edge-function` is always set afterwards in atomic mode.
 */
export function checkWebMode(parsed: {
  bucket: string;
  "web-mode": WebMode;
  "key-value-store"?: string | undefined;
  "edge-function"?: string | undefined;
}): void {
  if (parsed["web-mode"] !== "atomic") return;
  const store = parsed["key-value-store"];
  if (store === undefined) {
    throw new ConfigurationError(
      `input "key-value-store" is required with web-mode atomic: the CloudFront key value store (ARN or name) that holds the live release`,
    );
  }
  checkKeyValueStoreInput(store, "key-value-store");
  const name =
    parsed["edge-function"] ?? `shipline-${parsed.bucket.replaceAll(".", "-")}`.slice(0, 64);
  if (!FUNCTION_NAME.test(name)) {
    throw new ConfigurationError(
      `input "edge-function" ${quote(name)} is not a CloudFront Function name (1–64 letters, digits, "-" and "_")`,
    );
  }
  parsed["edge-function"] = name;
}

export function parsePublishWebInputs(raw: RawInputs): PublishWebInputs {
  const parsed = checkPublishSettings(parseInputs(publishWebSchema, raw));
  checkWebMode(parsed);
  return {
    ...parsed,
    "cache-control": rules(parsed["cache-control"]),
    "content-type": rules(parsed["content-type"]),
  };
}
