import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runCli } from "../../src/cli/program";
import { ExitCode } from "../../src/lib/errors";
import { TerminalLogger } from "../../src/lib/logger";
import { type ServiceStack, startServiceStack } from "./cloud";

/**
 * build-image --dry-run and deploy-service --dry-run through the CLI against localcloud (ECR with
 * its registry, ECS, ELBv2): reads only. JSON APIs read over POST, so a write is told by its
 * operation (anything but Get/List/Describe/Head/BatchGet), the registry's by its HTTP method.
 */
interface Call {
  seq: number;
  service: string;
  operation: string;
  method: string;
  path: string;
}

let stack: ServiceStack;
let work: string;

const READ = /^(Get|List|Describe|Head|BatchGet)/;
const writes = (calls: Call[]) =>
  calls
    .filter((call) => !["GET", "HEAD"].includes(call.method) && !READ.test(call.operation))
    .map((call) => `${call.method} ${call.service} ${call.operation} ${call.path}`);

async function requestsSince(since: number): Promise<Call[]> {
  const response = await fetch(`${stack.cloud.endpoint}/_localcloud/requests?since=${since}`);
  return (await response.json()) as Call[];
}

async function shipline(args: string[]) {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).trimEnd().split("\n"));
      done();
    },
  });
  const code = await runCli(args, {
    env: process.env,
    logger: new TerminalLogger({ out: sink, err: sink }),
  });
  process.exitCode = undefined;
  return { code, lines };
}

beforeAll(async () => {
  stack = await startServiceStack();
  work = await mkdtemp(join(tmpdir(), "dry-run-service-"));
  // No task runs: a dry run needs the service, not its containers.
  await stack.createService({}, { desiredCount: 0 });
  for (const [name, value] of Object.entries(stack.cloud.env())) vi.stubEnv(name, value);
}, 600_000);
afterAll(async () => {
  vi.unstubAllEnvs();
  await stack?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

describe("--dry-run writes nothing (images and services)", () => {
  it("build-image --dry-run: plans the push, uploads nothing", async () => {
    const app = join(work, "app");
    await mkdir(app, { recursive: true });
    await writeFile(join(app, "server.mjs"), "console.log('dry');\n");
    const since = stack.cloud.requestLog.lastSeq;
    const result = await shipline([
      "build-image",
      "--repository",
      "shipline/api",
      "--context",
      app,
      "--base-image",
      stack.apiImage,
      "--tags",
      "dry-1",
      "--revision",
      "dry-1",
      "--dry-run",
    ]);
    expect(result.code, result.lines.join("\n")).toBe(ExitCode.Success);
    const calls = await requestsSince(since);
    expect(calls.length).toBeGreaterThan(0);
    expect(writes(calls)).toEqual([]);
    expect(result.lines.join("\n")).toMatch(/would push/);
  });

  it("deploy-service --dry-run: shows the change, registers and updates nothing", async () => {
    const before = await stack.describe();
    const since = stack.cloud.requestLog.lastSeq;
    const result = await shipline([
      "deploy-service",
      "--cluster",
      stack.cluster,
      "--service",
      stack.service,
      "--images",
      `api=${stack.apiImageNext}`,
      "--dry-run",
    ]);
    expect(result.code, result.lines.join("\n")).toBe(ExitCode.Success);
    const calls = await requestsSince(since);
    expect(calls.some((call) => call.operation === "DescribeServices")).toBe(true);
    expect(writes(calls)).toEqual([]);
    expect((await stack.describe()).taskDefinition).toBe(before.taskDefinition);
    expect(result.lines.join("\n")).toMatch(/dry run: would register a revision/);
  });
});
