import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buffer } from "node:stream/consumers";
import { promisify } from "node:util";
import { gunzipSync } from "node:zlib";
import {
  CreateRepositoryCommand,
  DescribeImagesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
} from "@aws-sdk/client-ecr";
import * as tar from "tar-stream";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runCli } from "../../src/cli/program";
import { buildImage } from "../../src/images/build-image";
import { type BuildahRunner, spawnBuildah } from "../../src/images/buildah-builder";
import { parseBuildImageInputs } from "../../src/images/inputs";
import type { BuildImageResult } from "../../src/images/report";
import { createClient } from "../../src/lib/aws";
import { ExitCode } from "../../src/lib/errors";
import type { RawInputs } from "../../src/lib/inputs";
import { TerminalLogger } from "../../src/lib/logger";
import { RegistryClient } from "../../src/oci/registry";
import type { ImageConfig, ImageManifest } from "../../src/oci/types";
import { buildBaseImage, type EcrCloud, pushLayout, startEcrCloud } from "../helpers/localcloud";

const exec = promisify(execFile);
const REPOSITORY = "buildah/app";
const lines: string[] = [];
const sink = {
  write: (chunk: string) => lines.push(String(chunk)) > 0,
} as unknown as NodeJS.WritableStream;
const logger = new TerminalLogger({ out: sink, err: sink });

let cloud: EcrCloud;
let ecr: ECRClient;
let work: string;
let cacheDir: string;
let host: string;
let password: string;
let baseName: string;
let dockerBaseName: string;
let registry: RegistryClient;
/** Blob uploads the registry received (POST to /blobs/uploads/, mounts excluded), all tests. */
let uploadRequests = 0;
/** What buildah was started with, and the auth file it was given, as it was during the run. */
const buildahCalls: { args: string[]; authFile?: string }[] = [];

const realFetch = globalThis.fetch;
const countingFetch: typeof fetch = (input, init) => {
  const url = String(input instanceof Request ? input.url : input);
  if (init?.method === "POST" && url.includes("/blobs/uploads/") && !url.includes("mount="))
    uploadRequests++;
  return realFetch(input, init);
};

const recordingBuildah: BuildahRunner = async (args, options) => {
  const at = args.indexOf("--authfile");
  const authFile = at >= 0 ? await readFile(args[at + 1] ?? "", "utf8") : undefined;
  buildahCalls.push({ args, ...(authFile !== undefined ? { authFile } : {}) });
  return spawnBuildah(args, options);
};

beforeAll(async () => {
  let node: Awaited<ReturnType<typeof buildBaseImage>>;
  [cloud, node] = await Promise.all([startEcrCloud(), buildBaseImage("node")]);
  work = await mkdtemp(join(tmpdir(), "buildah-builder-"));
  cacheDir = join(work, "cache");
  vi.stubEnv("AWS_ENDPOINT_URL", cloud.endpoint);
  vi.stubEnv("AWS_ACCESS_KEY_ID", cloud.credentials.accessKeyId);
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", cloud.credentials.secretAccessKey);
  ecr = createClient(ECRClient, { region: cloud.region });
  await ecr.send(new CreateRepositoryCommand({ repositoryName: "base/node" }));
  await ecr.send(new CreateRepositoryCommand({ repositoryName: "buildah/cache" }));
  await ecr.send(new CreateRepositoryCommand({ repositoryName: "base/node-docker" }));
  await ecr.send(
    new CreateRepositoryCommand({ repositoryName: REPOSITORY, imageTagMutability: "IMMUTABLE" }),
  );
  const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
  host = new URL(authorizationData?.[0]?.proxyEndpoint ?? "").host;
  password = Buffer.from(authorizationData?.[0]?.authorizationToken ?? "", "base64")
    .toString("utf8")
    .replace(/^AWS:/, "");
  await pushLayout(node.reference, {
    registry: host,
    repository: "base/node",
    tag: node.tag,
    username: "AWS",
    password,
  });
  baseName = `${host}/base/node:${node.tag}`;
  // The same base as Docker schema 2, as `docker push` leaves images in ECR.
  const authFile = join(work, "auth.json");
  await writeFile(
    authFile,
    JSON.stringify({ auths: { [host]: { auth: authorizationData?.[0]?.authorizationToken } } }),
    { mode: 0o600 },
  );
  await exec("skopeo", [
    "copy",
    "--quiet",
    "--format=v2s2",
    "--dest-tls-verify=false",
    `--dest-authfile=${authFile}`,
    node.reference,
    `docker://${host}/base/node-docker:${node.tag}`,
  ]);
  await rm(authFile);
  dockerBaseName = `${host}/base/node-docker:${node.tag}`;
  registry = new RegistryClient({ registry: host, credentials: { username: "AWS", password } });
}, 120_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  await cloud?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

/** A context folder with hello.txt and a Dockerfile of three stages (build, runtime, debug). */
async function writeContext(name: string, hello: string): Promise<string> {
  const context = join(work, name);
  await mkdir(context, { recursive: true });
  await writeFile(join(context, "hello.txt"), hello);
  await writeFile(
    join(context, "Dockerfile"),
    [
      `FROM ${baseName} AS build`,
      "ARG GREETING=none",
      // The node base has a shell and node, no coreutils.
      'RUN echo "greeting=$GREETING" > /tmp/greeting.txt && node -p "const { HOSTNAME, ...env } = process.env; JSON.stringify(env)" > /tmp/env.json',
      "",
      `FROM ${baseName} AS runtime`,
      "COPY --from=build /tmp/greeting.txt /tmp/env.json /app/",
      "COPY hello.txt /app/hello.txt",
      'CMD ["node", "-e", "console.log(1)"]',
      "",
      "FROM runtime AS debug",
      "RUN echo debug > /app/debug.txt",
      "",
    ].join("\n"),
  );
  return context;
}

function build(overrides: RawInputs, cache = cacheDir): Promise<BuildImageResult> {
  return buildImage(
    parseBuildImageInputs({
      builder: "buildah",
      region: cloud.region,
      repository: REPOSITORY,
      "source-date-epoch": "1700000000",
      "cache-dir": cache,
      ...overrides,
    }),
    {
      logger,
      ecr: () => createClient(ECRClient, { region: cloud.region }),
      fetch: countingFetch,
      runBuildah: recordingBuildah,
    },
  );
}

async function describedDigest(tag: string): Promise<string | undefined> {
  const { imageDetails } = await ecr.send(
    new DescribeImagesCommand({ repositoryName: REPOSITORY, imageIds: [{ imageTag: tag }] }),
  );
  return imageDetails?.[0]?.imageDigest;
}

/** The files of the pushed image (upper layers win), read back from the registry. */
async function imageFiles(
  digest: string,
): Promise<{ config: ImageConfig; files: Map<string, string> }> {
  const raw = await registry.getManifest(REPOSITORY, digest);
  if (!raw) throw new Error(`no manifest ${digest}`);
  const manifest = JSON.parse(raw.bytes.toString("utf8")) as ImageManifest;
  const config = JSON.parse(
    (await registry.getBlob(REPOSITORY, manifest.config.digest)).toString("utf8"),
  ) as ImageConfig;
  const files = new Map<string, string>();
  // The base layer holds node (tens of MB): only the layers the Dockerfile added are read.
  for (const layer of manifest.layers.slice(1)) {
    const extract = tar.extract();
    extract.on("entry", (header, stream, next) => {
      buffer(stream).then((bytes) => {
        if (header.type === "file")
          files.set(`/${header.name.replace(/^\.?\//, "")}`, bytes.toString("utf8"));
        next();
      }, next);
    });
    const done = new Promise<void>((resolve, reject) =>
      extract.on("finish", resolve).on("error", reject),
    );
    extract.end(gunzipSync(await registry.getBlob(REPOSITORY, layer.digest)));
    await done;
  }
  return { config, files };
}

describe("builder buildah against localcloud's ECR on loopback", () => {
  it("builds a Dockerfile (FROM the node base in the registry, COPY, CMD) with a build arg and a target stage, and pushes it", async () => {
    const context = await writeContext("app", "hello 1\n");
    uploadRequests = 0;
    const result = await build({
      context,
      dockerfile: join(context, "Dockerfile"),
      target: "runtime",
      "build-args": "GREETING=from-the-build-arg",
      tags: "v1",
    });
    expect(result.builder).toBe("buildah");
    expect(await describedDigest("v1")).toBe(result.digest);
    expect(result.image).toBe(`${host}/${REPOSITORY}@${result.digest}`);
    expect(result.tags).toEqual([{ tag: "v1", outcome: "pushed" }]);
    const uploaded = result.blobs.filter((blob) => blob.outcome === "uploaded");
    // The base layer is in base/node already: pointed at that blob and mounted, not uploaded.
    expect(
      result.blobs.filter((blob) => blob.outcome === "mounted").map((blob) => blob.role),
    ).toEqual(["base layer"]);
    expect(result.layers?.[0]?.reusedFrom).toBe(`${host}/base/node:${baseName.split(":").at(-1)}`);
    expect(uploadRequests).toBe(uploaded.length);
    expect(uploaded.length).toBeGreaterThan(0);

    const { config, files } = await imageFiles(result.digest);
    expect(config.config?.Cmd).toEqual(["node", "-e", "console.log(1)"]);
    expect(files.get("/app/hello.txt")).toBe("hello 1\n");
    expect(files.get("/app/greeting.txt")).toBe("greeting=from-the-build-arg\n");
    // RUN steps see the build arguments, never buildah's environment (which holds the password
    // for the credential helper). HOSTNAME, random per run, is left out of the file.
    const runEnv = files.get("/app/env.json") ?? "";
    expect(JSON.parse(runEnv)).toMatchObject({ GREETING: "from-the-build-arg" });
    expect(runEnv).not.toContain(password);
    expect(runEnv).not.toContain("SHIPLINE_REGISTRY");
    // --target runtime: the debug stage after it was not built into the image.
    expect(files.has("/app/debug.txt")).toBe(false);
    expect(config.created).toBe("2023-11-14T22:13:20Z");

    // No secret on buildah's command line nor in the auth file it was given.
    expect(buildahCalls.length).toBeGreaterThan(0);
    for (const call of buildahCalls) {
      expect(call.args.join(" ")).not.toContain(password);
      if (call.authFile !== undefined) {
        expect(call.authFile).not.toContain(password);
        expect(JSON.parse(call.authFile)).toEqual({ credHelpers: { [host]: "shipline-env" } });
      }
    }
    expect(buildahCalls.some((call) => call.authFile !== undefined)).toBe(true);
    expect(lines.join("")).not.toContain(password);
  }, 180_000);

  it("pushed again, uploads nothing: from the layer cache, and from a clean storage (same digest)", async () => {
    const context = join(work, "app");
    const inputs = {
      context,
      dockerfile: join(context, "Dockerfile"),
      target: "runtime",
      "build-args": "GREETING=from-the-build-arg",
    };
    const first = await describedDigest("v1");
    uploadRequests = 0;
    const cached = await build({ ...inputs, tags: "v1" });
    expect(cached.digest).toBe(first);
    expect(cached.tags).toEqual([{ tag: "v1", outcome: "unchanged" }]);
    expect(cached.blobs.every((blob) => blob.outcome === "skipped")).toBe(true);
    expect(uploadRequests).toBe(0);

    const clean = await build({ ...inputs, tags: "v1-clean" }, join(work, "clean-cache"));
    expect(clean.digest).toBe(first);
    expect(clean.tags).toEqual([{ tag: "v1-clean", outcome: "pushed" }]);
    expect(clean.blobs.every((blob) => blob.outcome === "skipped")).toBe(true);
    expect(uploadRequests).toBe(0);
  }, 180_000);

  it("refuses an immutable tag that points at other content, exit code 4, pushing nothing", async () => {
    const context = await writeContext("changed", "hello 2\n");
    const before = await describedDigest("v1");
    uploadRequests = 0;
    // The CLI builds its own clients: count their requests too.
    vi.stubGlobal("fetch", countingFetch);
    const code = await runCli(
      [
        "build-image",
        "--builder",
        "buildah",
        "--region",
        cloud.region,
        "--repository",
        REPOSITORY,
        "--context",
        context,
        "--dockerfile",
        join(context, "Dockerfile"),
        "--target",
        "runtime",
        "--cache-dir",
        cacheDir,
        "--source-date-epoch",
        "1700000000",
        "--tags",
        "v1",
      ],
      { env: process.env, logger },
    ).finally(() => vi.unstubAllGlobals());
    expect(code).toBe(ExitCode.BadInput);
    expect(lines.join("")).toContain(`already points at ${before}`);
    expect(await describedDigest("v1")).toBe(before);
    expect(uploadRequests).toBe(0);
  }, 180_000);

  it("a clean storage takes the steps from the cache repository: a step that differs on each run is not run again", async () => {
    const context = join(work, "nonce");
    await mkdir(context, { recursive: true });
    await writeFile(join(context, "hello.txt"), "hello\n");
    // No ARG: buildah 1.28 (Debian 12) looks up no remote cache for a Dockerfile with one.
    await writeFile(
      join(context, "Dockerfile"),
      [
        `FROM ${baseName}`,
        'RUN node -p "Math.random()" > /nonce.txt',
        "COPY hello.txt /app/hello.txt",
        "",
      ].join("\n"),
    );
    const inputs = { context, "cache-repository": "buildah/cache" };
    const first = await build({ ...inputs, tags: "nonce-1" }, join(work, "nonce-cache-1"));
    uploadRequests = 0;
    const clean = await build({ ...inputs, tags: "nonce-2" }, join(work, "nonce-cache-2"));
    expect(clean.digest).toBe(first.digest);
    expect(clean.blobs.every((blob) => blob.outcome === "skipped")).toBe(true);
    expect(uploadRequests).toBe(0);
    const { files } = await imageFiles(clean.digest);
    expect(Number(files.get("/nonce.txt"))).toBeGreaterThan(0);
    expect(buildahCalls.at(-2)?.args).toContain("--cache-from");
  }, 180_000);

  it("on a Docker schema 2 base, pushes a Docker schema 2 image that points at the base's blobs", async () => {
    const context = join(work, "docker-base");
    await mkdir(context, { recursive: true });
    await writeFile(join(context, "hello.txt"), "hello docker\n");
    await writeFile(
      join(context, "Dockerfile"),
      `FROM ${dockerBaseName}\nCOPY hello.txt /app/hello.txt\n`,
    );
    const result = await build({ context, tags: "docker-1" });
    const raw = await registry.getManifest(REPOSITORY, result.digest);
    expect(raw?.mediaType).toBe("application/vnd.docker.distribution.manifest.v2+json");
    const manifest = JSON.parse(raw?.bytes.toString("utf8") ?? "{}") as ImageManifest;
    expect(manifest.config.mediaType).toBe("application/vnd.docker.container.image.v1+json");
    expect(new Set(manifest.layers.map((layer) => layer.mediaType))).toEqual(
      new Set(["application/vnd.docker.image.rootfs.diff.tar.gzip"]),
    );
    const baseLayer = result.blobs.find((blob) => blob.role === "base layer");
    expect(baseLayer?.outcome).not.toBe("uploaded");
    const { files } = await imageFiles(result.digest);
    expect(files.get("/app/hello.txt")).toBe("hello docker\n");
  }, 180_000);

  it("names the input when the target stage does not exist, before building", async () => {
    const context = join(work, "app");
    const calls = buildahCalls.length;
    await expect(
      build({ context, dockerfile: join(context, "Dockerfile"), target: "nope", tags: "x" }),
    ).rejects.toThrow('input "target"');
    expect(buildahCalls.length).toBe(calls);
  });
});
