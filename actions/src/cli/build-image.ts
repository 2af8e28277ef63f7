import type { Command } from "commander";
import { ciDefaults, mergeRawInputs } from "../lib/ci-context";
import type { Logger } from "../lib/logger";
import { addFlags, type FlagSpec, flagsToRawInputs } from "./options";
import { presetInputs } from "./presets";

/** The flags of `shipline build-image`, named like the inputs of actions/build-image/action.yml. */
export const BUILD_IMAGE_FLAGS: FlagSpec[] = [
  { name: "builder", description: "oci (no Docker engine; default) or docker (docker buildx)" },
  { name: "repository", description: "target repository, e.g. shipline/api" },
  { name: "tags", description: "tags to push (default: the commit)", repeatable: true },
  { name: "previous-tag", description: "tag of the last build, to reuse its layer when unchanged" },
  { name: "registry", description: "registry host or URL (default: Amazon ECR of the account)" },
  {
    name: "registry-username",
    description: "user for --registry (password: SHIPLINE_REGISTRY_PASSWORD)",
  },
  { name: "region", description: "AWS region (default: the SDK's, e.g. AWS_REGION)" },
  {
    name: "context",
    description: "folder that becomes the layer (oci) or the build context (docker)",
  },
  { name: "destination", description: "where the folder goes in the image (default /app)" },
  {
    name: "layers",
    description:
      'one layer below the last: globs of folder paths separated by spaces, e.g. "*.wasm *.data"; the rest goes last',
    repeatable: true,
  },
  {
    name: "base-image",
    description: "base image: registry/repo:tag, …@sha256:…, or oci:<layout>[:tag]",
  },
  { name: "platform", description: "os/arch (default linux/amd64)" },
  { name: "entrypoint", description: 'entry point, JSON array or words: ["node"]' },
  { name: "cmd", description: 'command, JSON array or words: ["node", "/app/server.mjs"]' },
  { name: "env", description: "KEY=VALUE", repeatable: true },
  { name: "workdir", description: "working directory" },
  { name: "user", description: "user (name or uid[:gid])" },
  { name: "ports", description: "exposed port, e.g. 3000 or 53/udp", repeatable: true },
  { name: "labels", description: "KEY=VALUE label", repeatable: true },
  {
    name: "source-date-epoch",
    description: "timestamp for every file and date (default SOURCE_DATE_EPOCH or 0)",
  },
  { name: "source-url", description: "repository URL for org.opencontainers.image.source" },
  {
    name: "revision",
    description: "commit for org.opencontainers.image.revision and the default tag",
  },
  { name: "mount-from", description: "sibling repository to mount blobs from", repeatable: true },
  { name: "dockerfile", description: "Dockerfile for builder docker" },
  {
    name: "build-args",
    description: "KEY=VALUE build argument for builder docker",
    repeatable: true,
  },
  { name: "dry-run", description: "show what would be pushed, push nothing", switch: true },
];

export function buildImageCommand(
  program: Command,
  logger: () => Logger,
  env: NodeJS.ProcessEnv,
): void {
  const command = program
    .command("build-image")
    .description("build an image (one reproducible layer on a pinned base) and push it")
    .option("--preset <name>", "defaults for the sample app's images: api or nginx");
  addFlags(command, BUILD_IMAGE_FLAGS).action(async (options: Record<string, unknown>) => {
    const raw = mergeRawInputs(
      ciDefaults(env),
      presetInputs(options.preset as string | undefined),
      flagsToRawInputs(options, BUILD_IMAGE_FLAGS),
      // Passwords never travel on a command line.
      { "registry-password": env.SHIPLINE_REGISTRY_PASSWORD },
    );
    // Each command loads its schema when it runs, and the SDK only after the inputs validate.
    const inputs = (await import("../images/inputs")).parseBuildImageInputs(raw);
    const [{ ECRClient }, { createClient }, { buildImage }] = await Promise.all([
      import("@aws-sdk/client-ecr"),
      import("../lib/aws"),
      import("../images/build-image"),
    ]);
    await buildImage(inputs, {
      logger: logger(),
      ecr: () =>
        createClient(ECRClient, {
          ...(inputs.region ? { region: inputs.region } : {}),
          readOnly: inputs["dry-run"],
        }),
    });
  });
}
