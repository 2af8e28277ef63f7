import { describe, expect, it } from "vitest";
import { ConfigurationError } from "../../src/lib/errors";
import { parsePreviewInputs } from "../../src/preview/inputs";
import { parsePublishWebInputs } from "../../src/web/inputs";
import { PUBLISH_WEB } from "../../src/web/publish-declaration";

const base = { source: "dist", bucket: "www-example" };

describe("publish-web inputs", () => {
  it("has defaults for everything but the folder and the bucket", () => {
    expect(parsePublishWebInputs(base)).toMatchObject({
      prefix: "",
      "distribution-id": [],
      exclude: ["asset-manifest.json"],
      "keep-releases": 3,
      "delete-limit": 1000,
      invalidate: true,
      wait: false,
      "wait-timeout": 600_000,
      concurrency: 16,
      "ledger-prefix": ".shipline/",
      "dry-run": false,
      "cache-control": [],
    });
  });

  it.each([
    { raw: { prefix: "/site" }, expected: { prefix: "site/" } },
    { raw: { prefix: "previews/pr-7/" }, expected: { prefix: "previews/pr-7/" } },
    {
      raw: { "distribution-id": "E1AAAAAAAA,E2BBBBBBBB" },
      expected: { "distribution-id": ["E1AAAAAAAA", "E2BBBBBBBB"] },
    },
    {
      raw: { "cache-control": "*.json=public, max-age=60\nrobots.txt=no-store" },
      expected: {
        "cache-control": [
          { pattern: "*.json", value: "public, max-age=60" },
          { pattern: "robots.txt", value: "no-store" },
        ],
      },
    },
    {
      raw: { "wait-timeout": "90s", wait: "yes" },
      expected: { "wait-timeout": 90_000, wait: true },
    },
  ])("$raw", ({ raw, expected }) => {
    expect(parsePublishWebInputs({ ...base, ...raw })).toMatchObject(expected);
  });

  it.each([
    { raw: { bucket: "" }, message: /input "bucket" is required/ },
    {
      raw: { bucket: "My_Bucket" },
      message: /input "bucket" "My_Bucket" is not an S3 bucket name/,
    },
    { raw: { prefix: "a/../b" }, message: /input "prefix" "a\/..\/b" must be a key prefix/ },
    { raw: { prefix: ".shipline/x" }, message: /inside the ledger prefix/ },
    { raw: { "distribution-id": "not an id" }, message: /input "distribution-id" "not an id"/ },
    { raw: { "release-id": "a b" }, message: /release id "a b"/ },
    {
      raw: { "keep-releases": "-1" },
      message: /input "keep-releases" must be a whole number from 0 to 100/,
    },
    { raw: { concurrency: "0" }, message: /input "concurrency"/ },
    {
      raw: { "multipart-threshold": "1024" },
      message:
        /input "multipart-threshold" must be at least 5 MiB \(S3's smallest multipart part\)/,
    },
    { raw: { "multipart-threshold": "4MiB" }, message: /at least 5 MiB/ },
    { raw: { "multipart-threshold": "lots" }, message: /must be a size like "16MiB"/ },
    { raw: { url: "example.com" }, message: /input "url" "example.com"/ },
  ])("refuses $raw", ({ raw, message }) => {
    expect(() => parsePublishWebInputs({ ...base, ...raw })).toThrow(ConfigurationError);
    expect(() => parsePublishWebInputs({ ...base, ...raw })).toThrow(message);
  });
});

describe("preview inputs", () => {
  it.each([
    { raw: { "pull-request": "7", source: "dist" }, prefix: "previews/pr-7/" },
    { raw: { "pull-request": "7", source: "dist", "previews-prefix": "pr" }, prefix: "pr/pr-7/" },
    { raw: { command: "destroy", "pull-request": "12" }, prefix: "previews/pr-12/" },
    { raw: { command: "sweep", "open-pull-requests": "3, 4" }, prefix: "previews/" },
  ])("$raw → $prefix", ({ raw, prefix }) => {
    expect(parsePreviewInputs({ bucket: "www-example", ...raw }, "abc-1").publish.prefix).toBe(
      prefix,
    );
  });

  it.each([
    { raw: { source: "dist" }, message: /input "pull-request" is required for publish/ },
    { raw: { "pull-request": "7" }, message: /input "source" is required for publish/ },
    {
      raw: { command: "deploy", "pull-request": "7" },
      message: /input "command" must be one of publish, destroy, sweep/,
    },
    {
      raw: { command: "sweep", "open-pull-requests": "seven" },
      message: /"seven" is not a pull request number/,
    },
    {
      raw: { command: "destroy", "pull-request": "1", "previews-prefix": "/" },
      message: /must not be empty/,
    },
  ])("refuses $raw", ({ raw, message }) => {
    expect(() => parsePreviewInputs({ bucket: "www-example", ...raw }, "abc-1")).toThrow(message);
  });
});

describe("multipart-threshold", () => {
  it.each([
    { given: undefined, bytes: 16 * 1024 * 1024 },
    { given: "6MiB", bytes: 6 * 1024 * 1024 },
    { given: "6 MiB", bytes: 6 * 1024 * 1024 },
    { given: "64MB", bytes: 64_000_000 },
    { given: String(5 * 1024 * 1024), bytes: 5 * 1024 * 1024 },
  ])("$given → $bytes bytes", ({ given, bytes }) => {
    const raw = given === undefined ? base : { ...base, "multipart-threshold": given };
    expect(parsePublishWebInputs(raw)["multipart-threshold"]).toBe(bytes);
  });

  it("the declaration gives the default and the least as the parser takes them", () => {
    const declared = PUBLISH_WEB.inputs["multipart-threshold"];
    const [, least] = /at least (\d+ MiB)/.exec(declared.description) ?? [];
    expect(
      parsePublishWebInputs({ ...base, "multipart-threshold": declared.default })[
        "multipart-threshold"
      ],
    ).toBe(16 * 1024 * 1024);
    expect(
      parsePublishWebInputs({ ...base, "multipart-threshold": least })["multipart-threshold"],
    ).toBe(5 * 1024 * 1024);
  });
});

describe("a preview's release id", () => {
  it("is its own for every push, whatever id the build carries", () => {
    const push = (run: string) =>
      parsePreviewInputs({ bucket: "www-example", "pull-request": "7", source: "dist" }, run)
        .publish["release-id"];
    expect(push("0123456789ab-41.1")).toBe("pr-7-0123456789ab-41.1");
    expect(push("fedcba987654-42.1")).not.toBe(push("0123456789ab-41.1"));
  });

  it("is the one given, when given", () => {
    const given = parsePreviewInputs(
      { bucket: "www-example", "pull-request": "7", source: "dist", "release-id": "mine" },
      "0123456789ab-41.1",
    );
    expect(given.publish["release-id"]).toBe("mine");
  });
});
