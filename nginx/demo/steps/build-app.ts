import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { buildApi } from "../../../app-api/scripts/build-api";
import { buildWeb } from "../../../app-web/scripts/build";

export interface Release {
  id: string;
  commit: string;
}

/** The checkout's commit names the local release, as CI names a real one. */
export function localRelease(repoDir: string): Release {
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["rev-parse", "HEAD"], { cwd: repoDir, encoding: "utf8" }).trim();
  } catch {
    // Not a git checkout: the release is still usable, just unnamed.
  }
  return { id: `local-${commit.slice(0, 7)}`, commit };
}

/** The API bundle, as the image would hold it; returns its server entry point. */
export async function buildApiBundle(outDir: string): Promise<string> {
  const built = await buildApi({ outDir });
  return join(built.outDir, "server.mjs");
}

/** The SPA, served at the root of the site; returns the folder to serve. */
export async function buildSpa(outDir: string, release: Release): Promise<string> {
  const built = await buildWeb({ outDir, basePath: "/", releaseId: release.id });
  return built.outDir;
}
