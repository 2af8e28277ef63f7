import { describe, expect, it } from "vitest";
import { ConfigurationError } from "../../src/lib/errors";
import { formatImageReference, parseImageReference } from "../../src/oci/reference";

const DIGEST = `sha256:${"a".repeat(64)}`;

describe("parseImageReference", () => {
  it.each([
    ["node", { registry: "docker.io", repository: "library/node" }],
    ["node:20-slim", { registry: "docker.io", repository: "library/node", tag: "20-slim" }],
    ["bitnami/nginx:1.25", { registry: "docker.io", repository: "bitnami/nginx", tag: "1.25" }],
    [
      "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shipline/api:abc123",
      {
        registry: "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
        repository: "shipline/api",
        tag: "abc123",
      },
    ],
    ["localhost:5000/app", { registry: "localhost:5000", repository: "app" }],
    [
      "127.0.0.1:41234/base/node:20",
      { registry: "127.0.0.1:41234", repository: "base/node", tag: "20" },
    ],
    [
      `ghcr.io/o/r:v1@${DIGEST}`,
      { registry: "ghcr.io", repository: "o/r", tag: "v1", digest: DIGEST },
    ],
    [`localhost/x@${DIGEST}`, { registry: "localhost", repository: "x", digest: DIGEST }],
  ])("%s", (text, expected) => {
    expect(parseImageReference(text)).toEqual(expected);
  });

  it.each([
    ["", "empty"],
    ["Node:20", "lowercase"],
    ["node:", "tag"],
    ["node:-bad", "tag"],
    ["node@sha256:abc", "digest"],
    ["a//b", "repository part"],
    [" node", "spaces"],
  ])("refuses %s, quoting it", (text, why) => {
    expect(() => parseImageReference(text)).toThrow(ConfigurationError);
    expect(() => parseImageReference(text)).toThrow(JSON.stringify(text));
    expect(() => parseImageReference(text)).toThrow(why);
  });

  it("formats back to the canonical form", () => {
    expect(formatImageReference(parseImageReference(`localhost:5000/a/b:t@${DIGEST}`))).toBe(
      `localhost:5000/a/b:t@${DIGEST}`,
    );
    expect(formatImageReference(parseImageReference("node"))).toBe("docker.io/library/node");
  });
});
