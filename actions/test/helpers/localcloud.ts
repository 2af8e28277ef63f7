import { join } from "node:path";
import { REPO_ROOT } from "./fixtures";

/**
 * Test fixtures that live in localcloud (a registry on loopback, base images built from this
 * machine's binaries). Imported at run time by path so the toolkit's type-checked project does
 * not depend on localcloud's sources; the shapes used here are declared locally.
 */
export interface TestRegistry {
  host: string;
  url: string;
  username: string;
  password: string;
  stop(): Promise<void>;
}

export interface BaseImage {
  layoutDir: string;
  tag: string;
  reference: string;
  digest: string;
}

async function load<T>(path: string): Promise<T> {
  const specifier = join(REPO_ROOT, path);
  return (await import(/* @vite-ignore */ specifier)) as T;
}

export async function startRegistry(): Promise<TestRegistry> {
  const module = await load<{ startRegistry(): Promise<TestRegistry> }>(
    "localcloud/test/helpers/registry.ts",
  );
  return module.startRegistry();
}

/** Base image layouts are cached under .state so later runs reuse them. */
export async function buildBaseImage(kind: "node" | "nginx"): Promise<BaseImage> {
  const module = await load<{ buildBaseImage(kind: string, cacheDir: string): Promise<BaseImage> }>(
    "localcloud/src/images/base-image.ts",
  );
  return module.buildBaseImage(kind, join(REPO_ROOT, ".state", "base-images"));
}

export async function pushLayout(
  source: string,
  target: { registry: string; repository: string; tag: string; username: string; password: string },
): Promise<{ digest: string }> {
  const module = await load<{
    pushLayout(s: string, t: typeof target): Promise<{ digest: string }>;
  }>("localcloud/src/images/push.ts");
  return module.pushLayout(source, target);
}

/** The API bundle (app-api's esbuild output), built into `outDir`. */
export async function buildApiBundle(outDir: string): Promise<string> {
  const module = await load<{ buildApi(options: { outDir: string }): Promise<{ outDir: string }> }>(
    "app-api/scripts/build-api.ts",
  );
  return (await module.buildApi({ outDir })).outDir;
}

/** A localcloud with only ECR (API + registry) on loopback. */
export interface EcrCloud {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  dispose(): Promise<void>;
}

export async function startEcrCloud(): Promise<EcrCloud> {
  const module = await load<{ startEcrCloud(): Promise<EcrCloud> }>(
    "localcloud/test/ecr/support.ts",
  );
  return module.startEcrCloud();
}
