import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ListTasksCommand } from "@aws-sdk/client-ecs";
import { DescribeTargetHealthCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runCli } from "../../src/cli/program";
import { ExitCode } from "../../src/lib/errors";
import { TerminalLogger } from "../../src/lib/logger";
import { run } from "../../src/lib/run";
import { type DeployServiceResult, deployService } from "../../src/service/deploy-service";
import { parseDeployServiceInputs } from "../../src/service/inputs";
import { reportDeployService } from "../../src/service/report";
import { actionMain } from "../helpers/action-bundle";
import { type ServiceStack, startProbe, startServiceStack, waitFor } from "./cloud";

let stack: ServiceStack;
let first = "";

beforeAll(async () => {
  stack = await startServiceStack();
  first = await stack.createService({ RELEASE_ID: "r1" });
  await steadyOn(first);
}, 240_000);

afterAll(async () => {
  await stack?.dispose();
});

async function steadyOn(taskDefinition: string) {
  return waitFor(
    `a steady service on ${taskDefinition}`,
    async () => {
      const service = await stack.describe();
      const [primary, ...others] = service.deployments ?? [];
      return others.length === 0 &&
        primary?.taskDefinition === taskDefinition &&
        primary.rolloutState === "COMPLETED"
        ? service
        : undefined;
    },
    90_000,
  );
}

interface Deployed {
  code: ExitCode;
  result?: DeployServiceResult;
  lines: string[];
  text: string;
  outputs: Record<string, string>;
}

/** Runs deploy-service as the CLI and the action do (run → deploy → report), capturing the log. */
async function deploy(raw: Record<string, string>): Promise<Deployed> {
  const lines: string[] = [];
  const stream = {
    write: (chunk: string) => lines.push(...chunk.split("\n").filter(Boolean)),
  } as unknown as NodeJS.WritableStream;
  const logger = new TerminalLogger({ out: stream, err: stream });
  let result: DeployServiceResult | undefined;
  const code = await run(async () => {
    const inputs = parseDeployServiceInputs({
      cluster: stack.cluster,
      service: stack.service,
      "poll-interval": "250ms",
      "healthy-polls": "3",
      grace: "1s",
      timeout: "90s",
      commit: "0123abc",
      ...raw,
    });
    result = await deployService(inputs, { clients: stack.clients, logger });
    await reportDeployService(result, logger);
  }, logger);
  process.exitCode = undefined;
  if (process.env.SHOW_DEPLOY_LOG) console.log(lines.join("\n"));
  const outputs = Object.fromEntries(
    lines.flatMap((line) => {
      const match = /^([a-z-]+)=(.*)$/.exec(line);
      return match ? [[match[1] ?? "", match[2] ?? ""]] : [];
    }),
  );
  return { code, lines, text: lines.join("\n"), outputs, ...(result ? { result } : {}) };
}

/** Mutating calls since a request-log position (reads are fine: they change nothing). */
function changesSince(seq: number): string[] {
  return stack.cloud.requestLog
    .list({ sinceSeq: seq })
    .filter((entry) => !/^(Describe|List|Get|BatchGet)/.test(entry.operation))
    .map((entry) => `${entry.service}:${entry.operation}`);
}

async function targetStates(): Promise<string[]> {
  const health = await stack.clients.elb.send(
    new DescribeTargetHealthCommand({ TargetGroupArn: stack.targetGroupArn }),
  );
  return (health.TargetHealthDescriptions ?? []).map((d) => d.TargetHealth?.State ?? "");
}

async function releaseThroughLoadBalancer(): Promise<string> {
  const response = await fetch(`${stack.lbUrl}/version`);
  return ((await response.json()) as { releaseId: string }).releaseId;
}

let good = "";

describe("deploy-service on localcloud (real containers behind a load balancer)", () => {
  it("a good release with a migration: gate passes, outputs right, no failed request through the load balancer", async () => {
    const probe = startProbe(`${stack.lbUrl}/version`);
    const deployed = await deploy({
      images: `api=${stack.apiImageNext}`,
      environment: "api:RELEASE_ID=r2",
      "migration-command": '["node", "/app/migrate.mjs"]',
    });
    // Keep the stream going a little after the verdict: the old tasks drain meanwhile.
    await waitFor("200 more requests", async () => {
      const seen = probe.results.ok + probe.results.failed;
      return seen > 200 ? true : undefined;
    });
    const results = await probe.stop();
    expect(deployed.code, deployed.text).toBe(ExitCode.Success);
    const result = deployed.result as DeployServiceResult;
    good = result.taskDefinitionArn;
    expect(result.outcome).toBe("success");
    expect(result.registered).toBe(true);
    expect(good).toMatch(/task-definition\/web:2$/);
    expect(deployed.outputs).toMatchObject({
      "task-definition-arn": good,
      "previous-task-definition-arn": first,
      "deployment-id": result.deploymentId,
      verdict: "passed",
      "rolled-back": "false",
      registered: "true",
    });
    expect(Number(deployed.outputs.duration)).toBeGreaterThan(0);
    // The migration ran the new image and its output is in the log.
    expect(result.migration?.exitCode).toBe(0);
    expect(deployed.text).toMatch(/migration \| .*migration/);
    // One line per change: far fewer task lines than polls.
    const taskLines = deployed.lines.filter((line) => line.startsWith("task "));
    expect(taskLines.length).toBeGreaterThan(0);
    expect(taskLines.length).toBeLessThan((result.gate?.polls ?? 0) * 2);
    expect(deployed.text).toMatch(/task \w+ · RUNNING · 198\.18\.\d+\.\d+:3000 healthy in api/);
    expect(results.failed, results.errors.slice(0, 5).join("; ")).toBe(0);
    expect(results.releases).toContain("r2");
    expect(await releaseThroughLoadBalancer()).toBe("r2");
    const tasks = await stack.clients.ecs.send(
      new ListTasksCommand({ cluster: stack.cluster, startedBy: result.deploymentId }),
    );
    expect(tasks.taskArns).toHaveLength(2);
  }, 120_000);

  it("re-running the same deploy (through the CLI) registers no new revision and changes nothing", async () => {
    const seq = stack.cloud.requestLog.lastSeq;
    const lines: string[] = [];
    const stream = {
      write: (chunk: string) => lines.push(...chunk.split("\n").filter(Boolean)),
    } as unknown as NodeJS.WritableStream;
    // The SDK finds localcloud as it would find AWS: AWS_ENDPOINT_URL and credentials.
    for (const [name, value] of Object.entries(stack.cloud.env())) vi.stubEnv(name, value);
    const code = await runCli(
      [
        "deploy-service",
        "--cluster",
        stack.cluster,
        "--service",
        stack.service,
        "--images",
        `api=${stack.apiImageNext}`,
        "--environment",
        "api:RELEASE_ID=r2",
        "--poll-interval",
        "250ms",
      ],
      { env: { GITHUB_SHA: "0123abc" }, logger: new TerminalLogger({ out: stream, err: stream }) },
    );
    vi.unstubAllEnvs();
    process.exitCode = undefined;
    expect(code, lines.join("\n")).toBe(ExitCode.Success);
    expect(lines).toContain("verdict=unchanged");
    expect(lines).toContain("registered=false");
    expect(lines).toContain(`task-definition-arn=${good}`);
    expect(changesSince(seq)).toEqual([]);
  });

  it("the committed action bundle runs the same deploy from action.yml inputs", async () => {
    const folder = await mkdtemp(join(tmpdir(), "deploy-service-action-"));
    const outputFile = join(folder, "output");
    const summaryFile = join(folder, "summary");
    await writeFile(outputFile, "");
    await writeFile(summaryFile, "");
    try {
      const seq = stack.cloud.requestLog.lastSeq;
      const main = await actionMain("deploy-service");
      const { stdout, code } = await new Promise<{ stdout: string; code: number | null }>(
        (resolve) => {
          const child = execFile(
            process.execPath,
            [main],
            {
              env: {
                PATH: process.env.PATH,
                ...stack.cloud.env(),
                GITHUB_OUTPUT: outputFile,
                GITHUB_STEP_SUMMARY: summaryFile,
                GITHUB_SHA: "0123abc",
                INPUT_CLUSTER: stack.cluster,
                INPUT_SERVICE: stack.service,
                INPUT_IMAGES: `api=${stack.apiImageNext}`,
                INPUT_ENVIRONMENT: "api:RELEASE_ID=r2",
                "INPUT_POLL-INTERVAL": "250ms",
              },
            },
            (_error, out) => resolve({ stdout: out, code: child.exitCode }),
          );
        },
      );
      expect(code, stdout).toBe(0);
      const outputs = await readFile(outputFile, "utf8");
      expect(outputs).toMatch(/^verdict<<ghadelimiter_[\w-]+\nunchanged\n/m);
      expect(outputs).toContain(good);
      expect(await readFile(summaryFile, "utf8")).toContain("deploy-service web: unchanged");
      expect(changesSince(seq)).toEqual([]);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it("a release whose API fails its health check: rolled back by itself, exit code 1, diagnosis names the health check", async () => {
    const probe = startProbe(`${stack.lbUrl}/version`);
    const deployed = await deploy({ environment: "api:APP_FAULT=unhealthy\napi:RELEASE_ID=r3" });
    const results = await probe.stop();
    expect(deployed.code, deployed.text).toBe(ExitCode.FailedRolledBack);
    const result = deployed.result as DeployServiceResult;
    expect(result.outcome).toBe("rolled-back");
    expect(["target-unhealthy", "task-failed"]).toContain(result.verdict);
    expect(deployed.outputs).toMatchObject({
      "rolled-back": "true",
      "previous-task-definition-arn": good,
      verdict: result.verdict,
    });
    expect(result.diagnosis?.headline).toMatch(/unhealthy|failed ELB health checks/);
    expect(result.diagnosis?.hints.join("\n")).toMatch(
      /Task failed ELB health checks: The target reports .*(Target\.ResponseCodeMismatch|503).* GET \/healthz on port 3000/,
    );
    expect(deployed.text).toMatch(/error: hint: Task failed ELB health checks/);
    expect(deployed.text).toMatch(/Health checks failed with these codes: \[503\]/);
    // The service events since the start are in the log.
    expect(deployed.text).toMatch(/event: \(service web\) has started 2 tasks/);
    // After it: the previous definition, healthy, serving.
    const service = await stack.describe();
    expect(service.deployments?.[0]?.taskDefinition).toBe(good);
    expect(result.rollback?.passed).toBe(true);
    expect(result.rollback?.by).toBe("shipline");
    // The bad tasks' targets may still be draining when the rollback's gate passes.
    expect(
      (await targetStates()).every((state) => state === "healthy" || state === "draining"),
    ).toBe(true);
    expect(await releaseThroughLoadBalancer()).toBe("r2");
    // The unhealthy tasks never received traffic.
    expect(results.failed, results.errors.slice(0, 5).join("; ")).toBe(0);
    expect([...results.releases]).toEqual(["r2"]);
    await steadyOn(good);
    expect(new Set(await targetStates())).toEqual(new Set(["healthy"]));
  }, 120_000);

  it("a release whose API exits at start: caught from the stop code, before any health check passed, with its log lines", async () => {
    const deployed = await deploy({ environment: "api:APP_FAULT=crash-on-start" });
    expect(deployed.code, deployed.text).toBe(ExitCode.FailedRolledBack);
    const result = deployed.result as DeployServiceResult;
    expect(result.verdict).toBe("task-failed");
    expect(result.diagnosis?.headline).toMatch(
      /stopped: EssentialContainerExited: Essential container in task exited; api exited with code 1/,
    );
    expect(result.gate?.firstAllHealthyAt).toBeUndefined();
    expect(result.diagnosis?.logs[0]?.lines.join("\n")).toContain(
      "APP_FAULT=crash-on-start: this release refuses to start",
    );
    expect(deployed.text).toMatch(/\| .*APP_FAULT=crash-on-start: this release refuses to start/);
    expect(result.diagnosis?.hints.join("\n")).toMatch(
      /An essential container exited: api \(exit code 1\)/,
    );
    expect((await stack.describe()).deployments?.[0]?.taskDefinition).toBe(good);
    await steadyOn(good);
  }, 120_000);

  it("a missing image digest is refused by the pre-flight; nothing changed", async () => {
    const seq = stack.cloud.requestLog.lastSeq;
    const missing = stack.apiImage.replace(/sha256:[a-f0-9]{64}/, `sha256:${"0".repeat(64)}`);
    const deployed = await deploy({ images: `api=${missing}\nnginx=${missing}` });
    expect(deployed.code).toBe(ExitCode.BadInput);
    expect(deployed.text).toMatch(/pre-flight refused the rollout of web \(nothing was changed\)/);
    expect(deployed.text).toContain(
      `image of api: sha256:${"0".repeat(64)} is not in ECR repository "shipline/api"`,
    );
    expect(deployed.text).toContain(
      'images names container "nginx", which is not in the task definition',
    );
    expect(changesSince(seq)).toEqual([]);
    expect(stack.cloud.requestLog.list({ sinceSeq: seq, operation: "DescribeImages" }).length).toBe(
      2,
    );
  });

  it("bad input: unknown cluster and service are clear errors, nothing changed", async () => {
    const seq = stack.cloud.requestLog.lastSeq;
    const noCluster = await deploy({ cluster: "nope" });
    expect(noCluster.code).toBe(ExitCode.BadInput);
    expect(noCluster.text).toContain('cluster "nope" does not exist');
    const noService = await deploy({ service: "nope" });
    expect(noService.code).toBe(ExitCode.BadInput);
    expect(noService.text).toContain('service "nope" does not exist in cluster "shipline"');
    expect(changesSince(seq)).toEqual([]);
  });

  it("a failing migration never updates the service, and shows its log lines", async () => {
    const seq = stack.cloud.requestLog.lastSeq;
    const deployed = await deploy({
      images: `api=${stack.apiImage}`,
      environment: "api:MIGRATION_FAULT=relation users already exists",
      "migration-command": "node /app/migrate.mjs",
    });
    expect(deployed.code, deployed.text).toBe(ExitCode.FailedRolledBack);
    expect(deployed.outputs).toMatchObject({ verdict: "migration-failed", "deployment-id": "" });
    expect(deployed.text).toMatch(
      /migration failed \(the migration exited with code 3\); web was not updated/,
    );
    expect(deployed.text).toMatch(/migration \| .*migrate failed: relation users already exists/);
    const calls = changesSince(seq);
    expect(calls).toContain("ecs:RunTask");
    expect(calls).not.toContain("ecs:UpdateService");
    expect((await stack.describe()).deployments?.map((d) => d.taskDefinition)).toEqual([good]);
  }, 60_000);
});
