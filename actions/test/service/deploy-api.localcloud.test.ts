import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExitCode } from "../../src/lib/errors";
import { TerminalLogger } from "../../src/lib/logger";
import { run } from "../../src/lib/run";
import { type DeployServiceResult, deployService } from "../../src/service/deploy-service";
import { parseDeployServiceInputs } from "../../src/service/inputs";
import { reportDeployService } from "../../src/service/report";
import { type ServiceStack, startProbe, startServiceStack, waitFor } from "./cloud";

/**
 * The sample app's real API image (app-api's bundle, built by shipline's builder with the api
 * preset) behind the load balancer. Its embedded database makes it slow to start on a busy
 * machine, so the service's grace period and the gate's grace are long here; the fast failure
 * cases run against a stand-in in deploy.localcloud.test.ts.
 */
let stack: ServiceStack;
let first = "";

beforeAll(async () => {
  stack = await startServiceStack({ app: "api" });
  // 2,400 s at the cloud's pace is 120 s: time for PGlite to initialise under load.
  first = await stack.createService(
    { RELEASE_ID: "r1" },
    { desiredCount: 1, gracePeriodSeconds: 2400 },
  );
  await waitFor(
    "the first release to serve",
    async () => {
      const service = await stack.describe();
      return service.deployments?.length === 1 &&
        service.deployments[0]?.rolloutState === "COMPLETED"
        ? true
        : undefined;
    },
    180_000,
  );
}, 300_000);

afterAll(async () => {
  await stack?.dispose();
});

async function deploy(raw: Record<string, string>) {
  const lines: string[] = [];
  const stream = {
    write: (chunk: string) => lines.push(...chunk.split("\n").filter(Boolean)),
  } as unknown as NodeJS.WritableStream;
  const logger = new TerminalLogger({ out: stream, err: stream });
  let result: DeployServiceResult | undefined;
  const code = await run(async () => {
    result = await deployService(
      parseDeployServiceInputs({
        cluster: stack.cluster,
        service: stack.service,
        "poll-interval": "500ms",
        grace: "120s",
        timeout: "4m",
        "migration-timeout": "3m",
        ...raw,
      }),
      { clients: stack.clients, logger },
    );
    await reportDeployService(result, logger);
  }, logger);
  process.exitCode = undefined;
  return { code, result, text: lines.join("\n") };
}

describe("deploy-service with the sample app's API image", () => {
  it("ships a new build with its real migration: gate passes, no failed request through the load balancer", async () => {
    const probe = startProbe(`${stack.lbUrl}/version`);
    const deployed = await deploy({
      images: `api=${stack.apiImageNext}`,
      environment: "api:RELEASE_ID=r2",
      "migration-command": '["node", "/app/migrate.mjs"]',
    });
    const results = await probe.stop();
    expect(deployed.code, deployed.text).toBe(ExitCode.Success);
    expect(deployed.result?.taskDefinitionArn).not.toBe(first);
    // app-api's migrate.mjs says what it applied; its lines come from CloudWatch Logs.
    expect(deployed.text).toMatch(/migration \| .*applied 1 migration\(s\)/);
    expect(results.failed, results.errors.slice(0, 5).join("; ")).toBe(0);
    const response = await fetch(`${stack.lbUrl}/version`);
    expect(((await response.json()) as { releaseId: string }).releaseId).toBe("r2");
  }, 360_000);

  it("a release that exits at start is caught from its stop code, with the API's own last words", async () => {
    const deployed = await deploy({ environment: "api:APP_FAULT=crash-on-start" });
    expect(deployed.code, deployed.text).toBe(ExitCode.FailedRolledBack);
    expect(deployed.result?.verdict).toBe("task-failed");
    expect(deployed.text).toMatch(/\| .*APP_FAULT=crash-on-start: this release refuses to start/);
  }, 360_000);
});
