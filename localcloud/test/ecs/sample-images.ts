import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  CreateRepositoryCommand,
  DescribeImagesCommand,
  type ECRClient,
  GetAuthorizationTokenCommand,
} from "@aws-sdk/client-ecr";
import { buildBaseImage } from "../../src/images/base-image";
import { BASE_IMAGE_CACHE } from "../runtime/fixtures";

const REPO_ROOT = resolve(fileURLToPath(new URL("../../..", import.meta.url)));

/**
 * The toolkit's CLI and the API's bundler, loaded at run time by path: localcloud's type-checked
 * project does not depend on the other workspaces, and the toolkit never imports localcloud.
 */
interface Toolkit {
  runCli(argv: string[], options: { env?: NodeJS.ProcessEnv; logger?: unknown }): Promise<number>;
  TerminalLogger: new (options: {
    out: NodeJS.WritableStream;
    err: NodeJS.WritableStream;
  }) => unknown;
  buildApi(options: { outDir: string }): Promise<{ outDir: string }>;
  /** The sample's image settings (workflows/shipline.yml) as build-image flags. */
  sampleImageFlags(name: string): Promise<string[]>;
}

async function load<T>(path: string): Promise<T> {
  return (await import(/* @vite-ignore */ join(REPO_ROOT, path))) as T;
}

async function toolkit(): Promise<Toolkit> {
  const [cli, logger, api, sample] = await Promise.all([
    load<Pick<Toolkit, "runCli">>("actions/src/cli/program.ts"),
    load<Pick<Toolkit, "TerminalLogger">>("actions/src/lib/logger.ts"),
    load<Pick<Toolkit, "buildApi">>("app-api/scripts/build-api.ts"),
    load<Pick<Toolkit, "sampleImageFlags">>("actions/scripts/sample-images.ts"),
  ]);
  return {
    runCli: cli.runCli,
    TerminalLogger: logger.TerminalLogger,
    buildApi: api.buildApi,
    sampleImageFlags: sample.sampleImageFlags,
  };
}

export interface SampleImages {
  /** `<registry>/shipline/api@sha256:…`, as a deploy puts it in a task definition. */
  api: string;
  nginx: string;
  /** Wall-clock milliseconds of each step, for the record. */
  timings: Record<string, number>;
}

/**
 * Builds the sample app's two images the way a pipeline does: the API bundle, then
 * `shipline build-image --preset api|nginx` onto the base images localcloud builds, pushed into
 * the cloud's ECR with the GetAuthorizationToken password.
 */
export async function buildSampleImages(ecr: ECRClient, tag: string): Promise<SampleImages> {
  const timings: Record<string, number> = {};
  const timed = async <T>(name: string, step: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await step();
    } finally {
      timings[name] = Math.round(performance.now() - started);
    }
  };
  const work = await mkdtemp(join(tmpdir(), "localcloud-sample-"));
  try {
    const kit = await toolkit();
    const [nodeBase, nginxBase, bundle] = await Promise.all([
      timed("node base", () => buildBaseImage("node", BASE_IMAGE_CACHE)),
      timed("nginx base", () => buildBaseImage("nginx", BASE_IMAGE_CACHE)),
      timed("api bundle", () => kit.buildApi({ outDir: join(work, "dist") })),
    ]);
    for (const repositoryName of ["shipline/api", "shipline/nginx"]) {
      await ecr.send(new CreateRepositoryCommand({ repositoryName }));
    }
    const token = (await ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData?.[0];
    const [username, password] = Buffer.from(token?.authorizationToken ?? "", "base64")
      .toString()
      .split(":");
    const registry = new URL(token?.proxyEndpoint ?? "").host;

    const push = async (preset: string, context: string, base: string): Promise<string> => {
      const output: string[] = [];
      const sink = {
        write: (chunk: string) => output.push(chunk),
      } as unknown as NodeJS.WritableStream;
      const repository = `shipline/${preset}`;
      const code = await kit.runCli(
        [
          "build-image",
          ...(await kit.sampleImageFlags(preset)),
          "--context",
          context,
          "--registry",
          registry,
          "--registry-username",
          username ?? "",
          "--repository",
          repository,
          "--base-image",
          base,
          "--tags",
          tag,
          "--revision",
          tag,
        ],
        {
          // The password reaches the CLI as CI passes a secret: in the environment.
          env: { SHIPLINE_REGISTRY_PASSWORD: password },
          logger: new kit.TerminalLogger({ out: sink, err: sink }),
        },
      );
      if (code !== 0)
        throw new Error(
          `build-image of the sample ${preset} image exited ${code}:\n${output.join("")}`,
        );
      const described = await ecr.send(
        new DescribeImagesCommand({ repositoryName: repository, imageIds: [{ imageTag: tag }] }),
      );
      return `${registry}/${repository}@${described.imageDetails?.[0]?.imageDigest}`;
    };
    const [api, nginx] = await Promise.all([
      timed("push api", () => push("api", bundle.outDir, nodeBase.reference)),
      timed("push nginx", () =>
        push("nginx", join(REPO_ROOT, "nginx/templates"), nginxBase.reference),
      ),
    ]);
    return { api, nginx, timings };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
