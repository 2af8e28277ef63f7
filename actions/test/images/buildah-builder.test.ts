import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildahBuildArgs,
  buildahPushArgs,
  buildWithBuildah,
  describeBuildahArgs,
  dockerfileStages,
} from "../../src/images/buildah-builder";
import { dockerBuildArgs } from "../../src/images/docker-builder";
import { parseBuildImageInputs } from "../../src/images/inputs";
import type { PushTarget } from "../../src/images/target";
import { ConfigurationError } from "../../src/lib/errors";
import { TerminalLogger } from "../../src/lib/logger";
import { RegistryClient } from "../../src/oci/registry";

const storage = { root: "/cache/b", runroot: "/cache/b/run", driver: "vfs" };
const sink = { write: () => true } as unknown as NodeJS.WritableStream;
const logger = new TerminalLogger({ out: sink, err: sink });

describe("buildahBuildArgs", () => {
  it("keeps layers, fixes the timestamp, passes target, build args, labels and the auth file", () => {
    const args = buildahBuildArgs({
      storage,
      context: "app",
      dockerfile: "/src/Dockerfile",
      target: "runtime",
      buildArgs: { NODE_VERSION: "24" },
      labels: { "org.opencontainers.image.revision": "abc" },
      platform: "linux/amd64",
      sourceDateEpoch: 1700000000,
      authFile: "/tmp/x/config.json",
      tlsVerify: false,
      isolation: "chroot",
      iidFile: "/tmp/x/id",
    });
    expect(args).toEqual([
      "--root",
      "/cache/b",
      "--runroot",
      "/cache/b/run",
      "--storage-driver",
      "vfs",
      "build",
      "--layers",
      "--isolation",
      "chroot",
      "--timestamp",
      "1700000000",
      "--platform",
      "linux/amd64",
      "--file",
      "/src/Dockerfile",
      "--target",
      "runtime",
      "--build-arg",
      "NODE_VERSION=24",
      "--label",
      "org.opencontainers.image.revision=abc",
      "--authfile",
      "/tmp/x/config.json",
      "--tls-verify=false",
      "--iidfile",
      "/tmp/x/id",
      "app",
    ]);
  });

  it("verifies TLS and adds no target or auth file when none is given", () => {
    const args = buildahBuildArgs({
      storage,
      context: ".",
      dockerfile: "Dockerfile",
      buildArgs: {},
      labels: {},
      platform: "linux/arm64",
      sourceDateEpoch: 0,
      tlsVerify: true,
      isolation: "chroot",
      iidFile: "/tmp/id",
    });
    expect(args).not.toContain("--target");
    expect(args).not.toContain("--authfile");
    expect(args.some((arg) => arg.startsWith("--tls-verify"))).toBe(false);
  });

  it("writes the image to a dir: folder with layers left uncompressed", () => {
    expect(buildahPushArgs(storage, "abc", "/tmp/l").slice(6)).toEqual([
      "push",
      "--quiet",
      "--format",
      "oci",
      "--disable-compression",
      "abc",
      "dir:/tmp/l",
    ]);
  });
});

describe("describeBuildahArgs", () => {
  it("logs build argument names, not their values", () => {
    const text = describeBuildahArgs(["build", "--build-arg", "TOKEN=s3cret", "--label", "a=b"]);
    expect(text).toBe("build --build-arg TOKEN=… --label a=b");
    expect(text).not.toContain("s3cret");
  });
});

describe("dockerfileStages", () => {
  it("finds named stages, whatever the case of FROM/AS, with --platform flags", () => {
    expect(
      dockerfileStages(
        "FROM node:24 AS Build\nRUN x\nfrom --platform=$BUILDPLATFORM base as runtime\nFROM runtime\n",
      ),
    ).toEqual(["build", "runtime"]);
  });
});

describe("inputs and the docker builder", () => {
  it("builder buildah needs no base image; target and cache-dir are read", () => {
    const inputs = parseBuildImageInputs({
      builder: "buildah",
      repository: "a/b",
      tags: "t",
      target: "runtime",
      "cache-dir": "/var/cache/x",
    });
    expect(inputs.builder).toBe("buildah");
    expect(inputs.target).toBe("runtime");
    expect(inputs["cache-dir"]).toBe("/var/cache/x");
  });

  it("docker buildx gets the target stage too", () => {
    const args = dockerBuildArgs({
      context: ".",
      dockerfile: "Dockerfile",
      target: "runtime",
      images: ["h/r:t"],
      cacheRef: "h/r:cache",
      platform: "linux/amd64",
      labels: {},
      buildArgs: {},
      metadataFile: "/tmp/m.json",
      sourceDateEpoch: 0,
    });
    expect(args.slice(args.indexOf("--target"), args.indexOf("--target") + 2)).toEqual([
      "--target",
      "runtime",
    ]);
  });
});

describe("buildWithBuildah before building", () => {
  let context: string;
  const target: PushTarget = {
    kind: "registry",
    client: new RegistryClient({ registry: "127.0.0.1:9" }),
    host: "127.0.0.1:9",
    repository: "a/b",
    immutable: false,
  };
  beforeAll(async () => {
    context = await mkdtemp(join(tmpdir(), "buildah-unit-"));
    await writeFile(join(context, "Dockerfile"), "FROM scratch AS only\n");
  });
  afterAll(() => rm(context, { recursive: true, force: true }));

  const inputs = (extra: Record<string, string>) =>
    parseBuildImageInputs({
      builder: "buildah",
      repository: "a/b",
      tags: "t",
      context,
      "cache-dir": join(context, "cache"),
      ...extra,
    });

  it("a dry run reads the cache repository and writes nothing to it", async () => {
    const seen: string[][] = [];
    const run = (extra: Record<string, string>) =>
      buildWithBuildah(inputs({ "cache-repository": "a/cache", ...extra }), target, {
        logger,
        runBuildah: async (args) => {
          seen.push(args);
          return { code: 1, tail: ["stopped by the test"] };
        },
      });
    await expect(run({ "dry-run": "true" })).rejects.toThrow("stopped by the test");
    await expect(run({})).rejects.toThrow("exit code 1");
    const [dry, real] = seen;
    expect(dry?.slice(dry.indexOf("--cache-from"), dry.indexOf("--cache-from") + 2)).toEqual([
      "--cache-from",
      "127.0.0.1:9/a/cache",
    ]);
    expect(dry).not.toContain("--cache-to");
    expect(real).toContain("--cache-to");
  });

  it("names the dockerfile input when the file is in neither place", async () => {
    await expect(
      buildWithBuildah(inputs({ dockerfile: "Nope.dockerfile" }), target, { logger }),
    ).rejects.toThrow('input "dockerfile"');
  });

  it("finds a relative Dockerfile in the context, and says how to get buildah when it is missing", async () => {
    const missing = Object.assign(new Error("spawn buildah ENOENT"), { code: "ENOENT" });
    const attempt = buildWithBuildah(inputs({}), target, {
      logger,
      runBuildah: async (args) => {
        expect(args).toContain(join(context, "Dockerfile"));
        throw missing;
      },
    });
    await expect(attempt).rejects.toThrow(ConfigurationError);
    await expect(
      buildWithBuildah(inputs({}), target, {
        logger,
        runBuildah: async () => {
          throw missing;
        },
      }),
    ).rejects.toThrow('package "buildah"');
  });
});
