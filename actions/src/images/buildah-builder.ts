import { spawn } from "node:child_process";
import { access, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { ConfigurationError, quote } from "../lib/errors";
import type { Logger } from "../lib/logger";
import { formatPlatform } from "../oci/platform";
import { DirImageSource } from "./dir-image";
import { dockerCredentialEnv } from "./docker-credentials";
import type { BuildImageInputs } from "./inputs";
import { pushLayoutImage } from "./layout-push";
import type { BuildImageResult } from "./report";
import type { PushTarget } from "./target";

/** Runs a command; resolves with its exit code and the last lines it printed (for errors). */
export type BuildahRunner = (
  args: string[],
  options: { env: NodeJS.ProcessEnv; logger: Logger },
) => Promise<{ code: number; tail: string[] }>;

const TAIL_LINES = 20;

/** Runs buildah with its output passed to the logger line by line (so secrets stay masked). */
export const spawnBuildah: BuildahRunner = (args, { env, logger }) =>
  new Promise((resolveRun, reject) => {
    const child = spawn("buildah", args, { env, stdio: ["ignore", "pipe", "pipe"] });
    const tail: string[] = [];
    const forward = (stream: NodeJS.ReadableStream) => {
      let pending = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        const lines = (pending + chunk).split("\n");
        pending = lines.pop() ?? "";
        for (const line of lines) {
          logger.info(line);
          tail.push(line);
          if (tail.length > TAIL_LINES) tail.shift();
        }
      });
      stream.on("end", () => {
        if (pending) {
          logger.info(pending);
          tail.push(pending);
        }
      });
    };
    forward(child.stdout);
    forward(child.stderr);
    child.on("error", reject);
    child.on("close", (code) => resolveRun({ code: code ?? 1, tail }));
  });

/** Where buildah keeps its images: one storage (root) and its run state beside it. */
export interface BuildahStorage {
  root: string;
  runroot: string;
  /**
   * vfs unless STORAGE_DRIVER (buildah's own variable) says otherwise: it needs no kernel
   * overlay support, no fuse-overlayfs and leaves no mounts behind, at the cost of copying
   * each layer's files.
   */
  driver: string;
}

export interface BuildahBuildOptions {
  storage: BuildahStorage;
  context: string;
  dockerfile: string;
  target?: string;
  buildArgs: Record<string, string>;
  labels: Record<string, string>;
  platform: string;
  /** Every date in the image and every file's mtime: the same sources give the same digests. */
  sourceDateEpoch: number;
  /** host/repository of the remote layer cache to read, and to write (never in a dry run). */
  cacheFrom?: string;
  cacheTo?: string;
  /** The auth file naming the credential helper; absent: buildah's own defaults. */
  authFile?: string;
  /** false for a registry spoken to over plain HTTP (loopback), as the push client does. */
  tlsVerify: boolean;
  /** chroot unless BUILDAH_ISOLATION says otherwise: RUN steps need no daemon nor runtime. */
  isolation: string;
  iidFile: string;
}

function storageArgs(storage: BuildahStorage): string[] {
  return ["--root", storage.root, "--runroot", storage.runroot, "--storage-driver", storage.driver];
}

/**
 * The `buildah build` command line: intermediate layers kept (--layers) so an unchanged step is
 * not run again, a fixed timestamp so a rebuild on a clean machine gives the same layers (and the
 * registry already has them), the image ID written to a file. No secret is on it: credentials
 * come from the helper that the auth file names.
 */
export function buildahBuildArgs(options: BuildahBuildOptions): string[] {
  const args = [...storageArgs(options.storage), "build", "--layers"];
  args.push("--isolation", options.isolation);
  args.push("--timestamp", String(options.sourceDateEpoch));
  args.push("--platform", options.platform, "--file", options.dockerfile);
  if (options.target) args.push("--target", options.target);
  for (const [key, value] of Object.entries(options.buildArgs))
    args.push("--build-arg", `${key}=${value}`);
  for (const [key, value] of Object.entries(options.labels))
    args.push("--label", `${key}=${value}`);
  if (options.cacheFrom) args.push("--cache-from", options.cacheFrom);
  if (options.cacheTo) args.push("--cache-to", options.cacheTo);
  if (options.authFile) args.push("--authfile", options.authFile);
  if (!options.tlsVerify) args.push("--tls-verify=false");
  args.push("--iidfile", options.iidFile, options.context);
  return args;
}

/**
 * `buildah push` of the built image into a `dir:` folder, from where shipline pushes it. Layers
 * stay uncompressed (an OCI layout destination would gzip them whatever the flags say): a layer
 * the registry already has (by diff_id) is then never compressed, and the others are gzipped by
 * shipline, reproducibly.
 */
export function buildahPushArgs(
  storage: BuildahStorage,
  imageId: string,
  folder: string,
): string[] {
  return [
    ...storageArgs(storage),
    "push",
    "--quiet",
    "--format",
    "oci",
    "--disable-compression",
    imageId,
    `dir:${folder}`,
  ];
}

/** The command line as logged: build argument values stay out of the log. */
export function describeBuildahArgs(args: string[]): string {
  return args
    .map((arg, index) =>
      args[index - 1] === "--build-arg" ? `${arg.split("=")[0]}=…` : JSON.stringify(arg),
    )
    .map((arg) => (arg.startsWith('"') && /^"[\w./:=@,+-]+"$/.test(arg) ? arg.slice(1, -1) : arg))
    .join(" ");
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** buildah's own rule: a relative Dockerfile is looked up in the working directory, then the context. */
async function findDockerfile(dockerfile: string, context: string): Promise<string> {
  const candidates = isAbsolute(dockerfile)
    ? [dockerfile]
    : [resolve(dockerfile), resolve(context, dockerfile)];
  for (const candidate of candidates) if (await exists(candidate)) return candidate;
  throw new ConfigurationError(
    `input "dockerfile": ${quote(dockerfile)} was found neither in the working directory nor in the context ${quote(context)}`,
  );
}

/** The stage names of a Dockerfile (`FROM image AS name`), for checking `target` up front. */
export function dockerfileStages(text: string): string[] {
  return [...text.matchAll(/^\s*FROM\s+(?:--\S+\s+)*\S+\s+AS\s+(\S+)\s*$/gim)].map((match) =>
    (match[1] ?? "").toLowerCase(),
  );
}

export interface BuildahBuilderDeps {
  logger: Logger;
  runBuildah?: BuildahRunner;
  now?: () => number;
  env?: NodeJS.ProcessEnv;
}

/**
 * Builder "buildah": any Dockerfile, built without a daemon into buildah's storage (layers cached
 * between builds), written to a folder, then pushed by shipline's registry client exactly as
 * the oci builder pushes: blobs the registry has are not sent, immutable tags are honoured.
 */
export async function buildWithBuildah(
  inputs: BuildImageInputs,
  target: PushTarget,
  deps: BuildahBuilderDeps,
): Promise<BuildImageResult> {
  const { logger } = deps;
  const now = deps.now ?? Date.now;
  const env = deps.env ?? process.env;
  const started = now();
  const dockerfile = await findDockerfile(inputs.dockerfile, inputs.context);
  if (inputs.target) {
    const stages = dockerfileStages(await readFile(dockerfile, "utf8"));
    if (!stages.includes(inputs.target.toLowerCase())) {
      throw new ConfigurationError(
        `input "target": ${quote(dockerfile)} has no stage ${quote(inputs.target)} (stages: ${stages.join(", ") || "none named"})`,
      );
    }
  }
  const root = resolve(inputs["cache-dir"] ?? join(tmpdir(), "shipline-buildah"));
  const storage: BuildahStorage = {
    root,
    runroot: join(root, "run"),
    driver: env.STORAGE_DRIVER || "vfs",
  };
  await mkdir(storage.runroot, { recursive: true });
  const work = await mkdtemp(join(tmpdir(), "shipline-buildah-"));
  const credentials = target.credentials
    ? await dockerCredentialEnv(target.host, target.credentials, env)
    : undefined;
  const run = deps.runBuildah ?? spawnBuildah;
  const runChecked = async (args: string[], what: string) => {
    logger.info(`buildah ${describeBuildahArgs(args)}`);
    const { code, tail } = await run(args, { env: credentials?.env ?? env, logger }).catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") {
          throw new ConfigurationError(
            'builder "buildah" needs the buildah command (Debian and Ubuntu package "buildah")',
          );
        }
        throw error;
      },
    );
    if (code !== 0) {
      throw new Error(`buildah ${what} failed with exit code ${code}:\n${tail.join("\n")}`);
    }
  };
  try {
    const labels: Record<string, string> = {
      ...(inputs["source-url"] ? { "org.opencontainers.image.source": inputs["source-url"] } : {}),
      ...(inputs.revision ? { "org.opencontainers.image.revision": inputs.revision } : {}),
      ...inputs.labels,
    };
    const iidFile = join(work, "image-id");
    const cache = inputs["cache-repository"]
      ? `${target.host}/${inputs["cache-repository"]}`
      : undefined;
    await runChecked(
      buildahBuildArgs({
        storage,
        context: inputs.context,
        dockerfile,
        ...(inputs.target ? { target: inputs.target } : {}),
        buildArgs: inputs["build-args"],
        labels,
        ...(cache ? { cacheFrom: cache } : {}),
        // A dry run writes nothing to the registry, the cache included.
        ...(cache && !inputs["dry-run"] ? { cacheTo: cache } : {}),
        platform: formatPlatform(inputs.platform),
        sourceDateEpoch: inputs["source-date-epoch"],
        ...(credentials ? { authFile: credentials.configFile } : {}),
        tlsVerify: !target.client.baseUrl.startsWith("http:"),
        isolation: env.BUILDAH_ISOLATION || "chroot",
        iidFile,
      }),
      "build",
    );
    const built = now();
    const imageId = (await readFile(iidFile, "utf8")).trim();
    const imageDir = join(work, "image");
    await runChecked(buildahPushArgs(storage, imageId, imageDir), "push");
    const written = now();
    const pushed = await pushLayoutImage(
      {
        source: new DirImageSource(imageDir),
        reference: "",
        tags: inputs.tags,
        ...(inputs["previous-tag"] ? { previousTag: inputs["previous-tag"] } : {}),
        mountFrom: inputs["mount-from"],
        dryRun: inputs["dry-run"],
      },
      target,
      logger,
    );
    logger.info(
      `buildah: build ${built - started} ms, export ${written - built} ms, ${inputs["dry-run"] ? "plan" : "push"} ${now() - written} ms`,
    );
    return {
      builder: "buildah",
      image: `${target.host}/${target.repository}@${pushed.digest}`,
      digest: pushed.digest,
      host: target.host,
      repository: target.repository,
      tags: pushed.tags,
      blobs: pushed.blobs,
      ...(pushed.base ? { base: pushed.base } : {}),
      layers: pushed.layers,
      dryRun: inputs["dry-run"],
      durationMs: now() - started,
      buildMs: built - started,
    };
  } finally {
    await credentials?.cleanup();
    await rm(work, { recursive: true, force: true });
  }
}
