import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { delimiter, join } from "node:path";

const HELPER = "shipline-env";

/**
 * Gives `docker` the registry password without `docker login` (which stores it in config.json)
 * and without a command-line argument: a throw-away DOCKER_CONFIG names a credential helper that
 * answers from the child's environment. The files hold no secret; the password exists only in
 * this process's memory and in the docker child's environment. buildah reads the same file as its
 * `--authfile` (containers' auth files take docker's `credHelpers`).
 */
export async function dockerCredentialEnv(
  host: string,
  credentials: { username: string; password: string },
  parentEnv: NodeJS.ProcessEnv,
): Promise<{ env: NodeJS.ProcessEnv; configFile: string; cleanup: () => Promise<void> }> {
  const folder = await mkdtemp(join(tmpdir(), "shipline-docker-"));
  const helper = join(folder, `docker-credential-${HELPER}`);
  await writeFile(
    helper,
    `#!${process.execPath}
// docker credential helper protocol: "get" reads the server URL on stdin, prints the credentials.
if (process.argv[2] !== "get") process.exit(0);
process.stdout.write(JSON.stringify({ Username: process.env.SHIPLINE_REGISTRY_USERNAME, Secret: process.env.SHIPLINE_REGISTRY_PASSWORD }));
`,
  );
  await chmod(helper, 0o700);
  const configFile = join(folder, "config.json");
  await writeFile(configFile, JSON.stringify({ credHelpers: { [host]: HELPER } }));
  // Keep the user's buildx builders (set up by setup-buildx-action) visible despite the new config dir.
  const originalConfig = parentEnv.DOCKER_CONFIG ?? join(homedir(), ".docker");
  return {
    env: {
      ...parentEnv,
      DOCKER_CONFIG: folder,
      BUILDX_CONFIG: parentEnv.BUILDX_CONFIG ?? join(originalConfig, "buildx"),
      PATH: `${folder}${delimiter}${parentEnv.PATH ?? ""}`,
      SHIPLINE_REGISTRY_USERNAME: credentials.username,
      SHIPLINE_REGISTRY_PASSWORD: credentials.password,
    },
    configFile,
    cleanup: () => rm(folder, { recursive: true, force: true }),
  };
}
