import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { RawInputs } from "../../src/lib/inputs";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** A small stand-in for the API bundle: a server that answers /healthz. */
export async function writeAppFolder(folder: string, version = "1"): Promise<void> {
  await mkdir(join(folder, "public"), { recursive: true });
  await writeFile(
    join(folder, "server.mjs"),
    `import { createServer } from "node:http";
const version = ${JSON.stringify(version)};
createServer((req, res) => res.end(req.url === "/healthz" ? "ok " + version : "hello")).listen(3000);
`,
  );
  await writeFile(join(folder, "public/index.txt"), "static file\n");
}

export function apiInputs(overrides: RawInputs): RawInputs {
  return {
    destination: "/app",
    cmd: '["node", "/app/server.mjs"]',
    user: "1000",
    ports: "3000",
    workdir: "/app",
    env: "NODE_ENV=production",
    "source-date-epoch": "1700000000",
    "source-url": "https://github.com/example/shipline",
    ...overrides,
  };
}
