import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigurationError } from "../lib/errors";
import type { Logger } from "../lib/logger";
import { DIGEST_PATTERN } from "../oci/digest-pattern";
import { formatPlatform } from "../oci/platform";
import { dockerCredentialEnv } from "./docker-credentials";
import type { BuildImageInputs } from "./inputs";
import type { BuildImageResult } from "./report";
import type { PushTarget } from "./target";

export type CommandRunner = (
  command: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv },
) => Promise<number>;

/** Runs a command with its output passed through; resolves with its exit code. */
export const spawnCommand: CommandRunner = (command, args, options) =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env,
      stdio: ["ignore", "inherit", "inherit"],
    });
    child.on("error", reject);
    child.on("close", (code) => resolve(code ?? 1));
  });

export interface DockerBuildOptions {
  context: string;
  dockerfile: string;
  /** The stage of a multi-stage Dockerfile; absent: the last. */
  target?: string;
  /** Full names to push, "host/repository:tag". */
  images: string[];
  /** The registry cache image, "host/repository:cache". */
  cacheRef: string;
  platform: string;
  labels: Record<string, string>;
  buildArgs: Record<string, string>;
  metadataFile: string;
  sourceDateEpoch: number;
}

/**
 * The `docker buildx build` command line: push straight from BuildKit, registry cache stored in
 * ECR as an OCI image manifest (the only cache layout ECR accepts), no provenance attestation
 * (it would turn the image into an index), the result's digest written to a metadata file.
 */
export function dockerBuildArgs(options: DockerBuildOptions): string[] {
  const args = ["buildx", "build", "--push", "--provenance=false"];
  args.push("--file", options.dockerfile, "--platform", options.platform);
  if (options.target) args.push("--target", options.target);
  for (const image of options.images) args.push("--tag", image);
  args.push("--cache-from", `type=registry,ref=${options.cacheRef}`);
  args.push(
    "--cache-to",
    `type=registry,ref=${options.cacheRef},mode=max,image-manifest=true,oci-mediatypes=true`,
  );
  args.push("--build-arg", `SOURCE_DATE_EPOCH=${options.sourceDateEpoch}`);
  for (const [key, value] of Object.entries(options.buildArgs))
    args.push("--build-arg", `${key}=${value}`);
  for (const [key, value] of Object.entries(options.labels))
    args.push("--label", `${key}=${value}`);
  args.push("--metadata-file", options.metadataFile, options.context);
  return args;
}

/** Reads the pushed image's digest from buildx's --metadata-file. */
export function parseBuildMetadata(text: string): { digest: string } {
  let metadata: Record<string, unknown>;
  try {
    metadata = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error(`docker buildx wrote a metadata file that is not JSON: ${text.slice(0, 200)}`);
  }
  const digest = metadata["containerimage.digest"];
  if (typeof digest !== "string" || !DIGEST_PATTERN.test(digest)) {
    throw new Error(
      `docker buildx metadata has no image digest (containerimage.digest): ${text.slice(0, 200)}`,
    );
  }
  return { digest };
}

/** Builder "docker": the Dockerfile built and pushed by BuildKit; needs a Docker engine. */
export async function buildWithDocker(
  inputs: BuildImageInputs,
  target: PushTarget,
  deps: { logger: Logger; runCommand?: CommandRunner; now?: () => number; env?: NodeJS.ProcessEnv },
): Promise<BuildImageResult> {
  const now = deps.now ?? Date.now;
  const started = now();
  const folder = await mkdtemp(join(tmpdir(), "shipline-buildx-"));
  const name = `${target.host}/${target.repository}`;
  const labels: Record<string, string> = {
    ...(inputs["source-url"] ? { "org.opencontainers.image.source": inputs["source-url"] } : {}),
    ...(inputs.revision ? { "org.opencontainers.image.revision": inputs.revision } : {}),
    ...inputs.labels,
  };
  const args = dockerBuildArgs({
    context: inputs.context,
    dockerfile: inputs.dockerfile,
    ...(inputs.target ? { target: inputs.target } : {}),
    images: inputs.tags.map((tag) => `${name}:${tag}`),
    cacheRef: `${name}:cache`,
    platform: formatPlatform(inputs.platform),
    labels,
    buildArgs: inputs["build-args"],
    metadataFile: join(folder, "metadata.json"),
    sourceDateEpoch: inputs["source-date-epoch"],
  });
  deps.logger.info(`docker ${args.join(" ")}`);
  if (inputs["dry-run"]) {
    await rm(folder, { recursive: true, force: true });
    return {
      builder: "docker",
      image: name,
      digest: "",
      host: target.host,
      repository: target.repository,
      tags: inputs.tags.map((tag) => ({ tag, outcome: "would push" })),
      blobs: [],
      dryRun: true,
      durationMs: now() - started,
    };
  }
  const credentials = target.credentials
    ? await dockerCredentialEnv(target.host, target.credentials, deps.env ?? process.env)
    : undefined;
  try {
    const exitCode = await (deps.runCommand ?? spawnCommand)("docker", args, {
      env: credentials?.env ?? deps.env ?? process.env,
    }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") {
        throw new ConfigurationError(
          'builder "docker" needs the docker CLI with buildx; use builder "oci" where there is no Docker engine',
        );
      }
      throw error;
    });
    if (exitCode !== 0) throw new Error(`docker buildx build failed with exit code ${exitCode}`);
    const { digest } = parseBuildMetadata(await readFile(join(folder, "metadata.json"), "utf8"));
    return {
      builder: "docker",
      image: `${name}@${digest}`,
      digest,
      host: target.host,
      repository: target.repository,
      tags: inputs.tags.map((tag) => ({ tag, outcome: "pushed" })),
      blobs: [],
      dryRun: false,
      durationMs: now() - started,
    };
  } finally {
    await credentials?.cleanup();
    await rm(folder, { recursive: true, force: true });
  }
}
