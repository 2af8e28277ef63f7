import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DescribeImagesCommand } from "@aws-sdk/client-ecr";
import type { ServiceStack } from "../service/cloud";

/**
 * An API with the sample app's contract (/healthz on PORT), answering its build on other paths.
 * It starts at once; the real bundle initialises PGlite first, which takes longer than the test
 * stack's health-check grace period on a busy machine.
 */
export async function writeApi(folder: string, build: string, healthy = true): Promise<string> {
  await mkdir(folder, { recursive: true });
  // An unhealthy build answers its health check with 503: the gate must fail it.
  const health = healthy ? "200" : "503";
  await writeFile(
    join(folder, "server.mjs"),
    `import { createServer } from "node:http";
const server = createServer((req, res) => {
  res.setHeader("content-type", "application/json");
  if (req.url === "/healthz") res.statusCode = ${health};
  res.end(req.url === "/healthz" ? '{"status":"ok"}' : JSON.stringify({ build: ${JSON.stringify(build)} }));
});
server.listen(Number(process.env.PORT ?? 3000), "0.0.0.0");
process.on("SIGTERM", () => { server.close(() => process.exit(0)); setTimeout(() => process.exit(0), 2000).unref(); });
`,
  );
  return folder;
}

/** The base image the stack pushed, by digest, as a configuration file pins it. */
export async function baseImageOf(stack: ServiceStack): Promise<string> {
  const described = await stack.clients.ecr.send(
    new DescribeImagesCommand({ repositoryName: "base/node" }),
  );
  return `${stack.registry}/base/node@${described.imageDetails?.[0]?.imageDigest}`;
}
