import { readFile, writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import {
  buildWithDocker,
  dockerBuildArgs,
  parseBuildMetadata,
} from "../../src/images/docker-builder";
import { parseBuildImageInputs } from "../../src/images/inputs";
import type { PushTarget } from "../../src/images/target";
import { TerminalLogger } from "../../src/lib/logger";
import { RegistryClient } from "../../src/oci/registry";

const DIGEST = `sha256:${"c".repeat(64)}`;
const HOST = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";

describe("dockerBuildArgs", () => {
  it("pushes with an ECR-compatible registry cache, no provenance, and a metadata file", () => {
    const args = dockerBuildArgs({
      context: ".",
      dockerfile: "app-api/Dockerfile",
      images: [`${HOST}/shipline/api:abc`, `${HOST}/shipline/api:main`],
      cacheRef: `${HOST}/shipline/api:cache`,
      platform: "linux/amd64",
      labels: { "org.opencontainers.image.revision": "abc" },
      buildArgs: { NODE_VERSION: "20" },
      metadataFile: "/tmp/m.json",
      sourceDateEpoch: 1700000000,
    });
    expect(args).toEqual([
      "buildx",
      "build",
      "--push",
      "--provenance=false",
      "--file",
      "app-api/Dockerfile",
      "--platform",
      "linux/amd64",
      "--tag",
      `${HOST}/shipline/api:abc`,
      "--tag",
      `${HOST}/shipline/api:main`,
      "--cache-from",
      `type=registry,ref=${HOST}/shipline/api:cache`,
      "--cache-to",
      `type=registry,ref=${HOST}/shipline/api:cache,mode=max,image-manifest=true,oci-mediatypes=true`,
      "--build-arg",
      "SOURCE_DATE_EPOCH=1700000000",
      "--build-arg",
      "NODE_VERSION=20",
      "--label",
      "org.opencontainers.image.revision=abc",
      "--metadata-file",
      "/tmp/m.json",
      ".",
    ]);
  });
});

describe("parseBuildMetadata", () => {
  it("reads the digest buildx reports", () => {
    const text = JSON.stringify({
      "buildx.build.ref": "builder/builder0/xyz",
      "containerimage.descriptor": {
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        digest: DIGEST,
        size: 1,
      },
      "containerimage.digest": DIGEST,
      "image.name": `${HOST}/shipline/api:abc`,
    });
    expect(parseBuildMetadata(text)).toEqual({ digest: DIGEST });
  });

  it.each(["not json", "{}", '{"containerimage.digest": "sha256:short"}'])(
    "fails clearly on %s",
    (text) => {
      expect(() => parseBuildMetadata(text)).toThrow(/metadata/);
    },
  );
});

describe("buildWithDocker", () => {
  it("hands the password to docker through its environment only, and reports the digest", async () => {
    const target: PushTarget = {
      kind: "ecr",
      client: new RegistryClient({ registry: HOST }),
      host: HOST,
      repository: "shipline/api",
      immutable: false,
      credentials: { username: "AWS", password: "s3cret-password" },
    };
    const inputs = parseBuildImageInputs({
      builder: "docker",
      repository: "shipline/api",
      tags: "abc",
      dockerfile: "app-api/Dockerfile",
    });
    const calls: { args: string[]; env: NodeJS.ProcessEnv; helperConfig: string }[] = [];
    const sink = { write: () => true } as unknown as NodeJS.WritableStream;
    const result = await buildWithDocker(inputs, target, {
      logger: new TerminalLogger({ out: sink, err: sink }),
      env: { PATH: "/usr/bin", HOME: "/root" },
      runCommand: async (_command, args, { env }) => {
        const metadataFile = args[args.indexOf("--metadata-file") + 1] ?? "";
        await writeFile(metadataFile, JSON.stringify({ "containerimage.digest": DIGEST }));
        const helperConfig = await readFile(`${env.DOCKER_CONFIG}/config.json`, "utf8");
        calls.push({ args, env, helperConfig });
        return 0;
      },
    });
    expect(result.digest).toBe(DIGEST);
    expect(result.image).toBe(`${HOST}/shipline/api@${DIGEST}`);
    const [call] = calls;
    expect(call?.args.join(" ")).not.toContain("s3cret-password");
    expect(call?.helperConfig).not.toContain("s3cret-password");
    expect(JSON.parse(call?.helperConfig ?? "{}")).toEqual({
      credHelpers: { [HOST]: "shipline-env" },
    });
    expect(call?.env.SHIPLINE_REGISTRY_PASSWORD).toBe("s3cret-password");
    expect(call?.env.BUILDX_CONFIG).toBe("/root/.docker/buildx");
  });

  it("fails when docker fails", async () => {
    const inputs = parseBuildImageInputs({ builder: "docker", repository: "r", tags: "t" });
    const target = {
      kind: "registry",
      client: new RegistryClient({ registry: "localhost:1" }),
      host: "localhost:1",
      repository: "r",
      immutable: false,
    } as const;
    const sink = { write: () => true } as unknown as NodeJS.WritableStream;
    await expect(
      buildWithDocker(inputs, target, {
        logger: new TerminalLogger({ out: sink, err: sink }),
        runCommand: async () => 1,
      }),
    ).rejects.toThrow("exit code 1");
  });
});
