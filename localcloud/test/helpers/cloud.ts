import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Localcloud, type LocalcloudOptions, startLocalcloud } from "../../src/index";

/** Starts a localcloud on free loopback ports with a fresh state folder; `stop` removes both. */
export const startTestCloud = async (
  options: Partial<LocalcloudOptions> = {},
): Promise<Localcloud & { stateDir: string; dispose(): Promise<void> }> => {
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), "localcloud-test-"));
  const cloud = await startLocalcloud({ port: 0, ...options, stateDir });
  return {
    ...cloud,
    stateDir,
    async dispose() {
      await cloud.stop();
      // A mount the kernel is still letting go of answers EBUSY for a moment: retried.
      if (!options.stateDir) {
        rmSync(stateDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
      }
    },
  };
};

/** SDK client settings for a test cloud. */
export const clientConfig = (cloud: Localcloud) => ({
  endpoint: cloud.endpoint,
  region: cloud.region,
  credentials: cloud.credentials,
});
