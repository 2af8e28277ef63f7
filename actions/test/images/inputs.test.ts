import { describe, expect, it } from "vitest";
import { parseBaseImage, parseBuildImageInputs, parseCommand } from "../../src/images/inputs";
import { ConfigurationError } from "../../src/lib/errors";

const DIGEST = `sha256:${"b".repeat(64)}`;

describe("parseBuildImageInputs", () => {
  it("fills defaults and tags with the revision when no tags are given", () => {
    const inputs = parseBuildImageInputs({
      repository: "shipline/api",
      "base-image": "127.0.0.1:5000/base/node:20",
      revision: "0123abc",
      context: "app-api/dist",
    });
    expect(inputs).toMatchObject({
      builder: "oci",
      repository: "shipline/api",
      tags: ["0123abc"],
      destination: "/app",
      platform: { os: "linux", architecture: "amd64" },
      "source-date-epoch": 0,
      "dry-run": false,
      "base-image": {
        kind: "registry",
        registry: "127.0.0.1:5000",
        repository: "base/node",
        reference: "20",
      },
    });
  });

  it("parses commands, ports, lists and the platform", () => {
    const inputs = parseBuildImageInputs({
      repository: "r",
      "base-image": `node@${DIGEST}`,
      tags: "a, b\na",
      cmd: '["node", "/app/server.mjs"]',
      entrypoint: "tini --",
      ports: "3000\n53/udp",
      platform: "linux/arm64/v8",
      "mount-from": "shipline/nginx",
    });
    expect(inputs.tags).toEqual(["a", "b"]);
    expect(inputs.cmd).toEqual(["node", "/app/server.mjs"]);
    expect(inputs.entrypoint).toEqual(["tini", "--"]);
    expect(inputs.ports).toEqual(["3000", "53/udp"]);
    expect(inputs.platform).toEqual({ os: "linux", architecture: "arm64", variant: "v8" });
    expect(inputs["base-image"]).toMatchObject({ repository: "library/node", reference: DIGEST });
  });

  it.each([
    [{ repository: "Shipline" }, 'input "repository"', '"Shipline"'],
    [{ "base-image": "http://x" }, 'input "base-image"', '"http://x"'],
    [{ platform: "linux/sparc" }, 'input "platform"', '"linux/sparc"'],
    [{ tags: "ok,-bad" }, 'input "tags"', '"-bad"'],
    [{ ports: "70000" }, 'input "ports"', '"70000"'],
    [{ cmd: '["node", 1]' }, 'input "cmd"', "JSON array of strings"],
    [{ "source-date-epoch": "yesterday" }, 'input "source-date-epoch"', '"yesterday"'],
    [{ "base-image": "" }, 'input "base-image" is required with builder "oci"', "required"],
    [{ tags: "", revision: "" }, 'input "tags" is required', "revision"],
    [{ builder: "kaniko" }, 'input "builder"', '"kaniko"'],
    [{ "dry-run": "perhaps" }, 'input "dry-run"', '"perhaps"'],
  ])("rejects %j naming the input and quoting the value", (override, name, value) => {
    const call = () =>
      parseBuildImageInputs({
        repository: "shipline/api",
        "base-image": "node:20",
        tags: "t",
        ...override,
      });
    expect(call).toThrow(ConfigurationError);
    expect(call).toThrow(name);
    expect(call).toThrow(value);
  });
});

describe("parseBaseImage", () => {
  it("reads OCI layout references", () => {
    expect(parseBaseImage("oci:/cache/node:20")).toEqual({
      kind: "layout",
      path: "/cache/node",
      reference: "20",
    });
    expect(parseBaseImage("oci:/cache/node")).toEqual({
      kind: "layout",
      path: "/cache/node",
      reference: "",
    });
  });
});

describe("parseCommand", () => {
  it("keeps JSON arrays (exec form) and splits words", () => {
    expect(parseCommand('["sh", "-c", "echo a b"]')).toEqual(["sh", "-c", "echo a b"]);
    expect(parseCommand("node  server.mjs")).toEqual(["node", "server.mjs"]);
    expect(() => parseCommand("[not json")).toThrow('"[not json"');
  });
});
