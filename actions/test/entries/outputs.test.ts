import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { deployAction } from "../../src/entries/deploy";
import { deployServiceAction } from "../../src/entries/deploy-service";
import { promoteImageAction } from "../../src/entries/promote-image";
import { rollbackAction } from "../../src/entries/rollback";
import { PROMOTE_IMAGE } from "../../src/images/promote-declaration";
import type { UnitDeclaration } from "../../src/lib/declaration";
import { ExitCode } from "../../src/lib/errors";
import { DEPLOY, ROLLBACK } from "../../src/release/declarations";
import { DEPLOY_SERVICE } from "../../src/service/declaration";
import { actions, resetActions, undeclaredOutputs } from "../helpers/actions-core";

/**
 * The entries the other entry tests do not run, each with its unit answering a canned result, so
 * every output its real report sets goes through the mocked core. (build-image, publish-web and
 * preview check theirs after every test of their own files.)
 */
const canned = vi.hoisted(() => {
  const arn = "arn:aws:ecs:eu-west-1:123456789012:task-definition/web:8";
  const record = {
    id: "r-2",
    restores: "r-1",
    taskDefinitionArn: arn,
    images: { api: { uri: "example/api@sha256:aa" } },
    steps: [{ name: "service", status: "done", durationMs: 1000 }],
  };
  return {
    promoted: {
      repository: "shipline/api",
      uri: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shipline/api",
      digest: `sha256:${"a".repeat(64)}`,
      tags: [{ tag: "v1", outcome: "tagged" }],
    },
    deployed: {
      outcome: "success",
      verdict: "passed",
      cluster: "c",
      service: "s",
      taskDefinitionArn: arn,
      previousTaskDefinitionArn: arn.replace(":8", ":7"),
      registered: true,
      changes: [],
      deploymentId: "ecs-svc/1",
      rolledBack: false,
      durationMs: 1000,
      warnings: [],
    },
    record,
  };
});

vi.mock("@actions/core", async () => (await import("../helpers/actions-core")).actionsCore);
vi.mock(
  "../../src/lib/workflow-commands",
  async () => (await import("../helpers/actions-core")).workflowCommands,
);
vi.mock("../../src/images/promote", async (original) => ({
  ...(await original<typeof import("../../src/images/promote")>()),
  promoteImage: async () => canned.promoted,
}));
vi.mock("../../src/service/deploy-service", async (original) => ({
  ...(await original<typeof import("../../src/service/deploy-service")>()),
  deployService: async () => canned.deployed,
}));
vi.mock("../../src/release/commands", async () => {
  const { reportRelease } = await import("../../src/release/report");
  type Deps = { logger: Parameters<typeof reportRelease>[3] };
  return {
    runDeploy: (inputs: { environment: string }, _builds: unknown, deps: Deps) =>
      reportRelease("deploy", canned.record as never, inputs.environment, deps.logger),
    runRollback: (inputs: { environment: string }, deps: Deps) =>
      reportRelease("rollback", canned.record as never, inputs.environment, deps.logger),
  };
});

const RELEASE_INPUTS = {
  environment: "production",
  bucket: "www-example",
  cluster: "c",
  service: "s",
};

beforeEach(() => {
  vi.stubEnv("GITHUB_STEP_SUMMARY", "/dev/null");
  vi.stubEnv("AWS_REGION", "eu-west-1");
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("every output an action sets is declared in its action.yml", () => {
  it.each<{ unit: UnitDeclaration; inputs: Record<string, string>; run: () => Promise<ExitCode> }>([
    {
      unit: PROMOTE_IMAGE,
      inputs: { repository: "shipline/api", digest: `sha256:${"a".repeat(64)}`, tags: "v1" },
      run: () => promoteImageAction(),
    },
    {
      unit: DEPLOY_SERVICE,
      inputs: { cluster: "c", service: "s" },
      run: () => deployServiceAction(undefined, {}),
    },
    {
      unit: DEPLOY,
      // The deploy action has no default site folder: the config's `web:` or this input names it.
      inputs: { ...RELEASE_INPUTS, source: "app-web/dist" },
      run: () => deployAction(undefined, {}),
    },
    { unit: ROLLBACK, inputs: RELEASE_INPUTS, run: () => rollbackAction(undefined, {}) },
  ])("$unit.action", async ({ unit, inputs, run }) => {
    resetActions(inputs);
    expect(await run(), actions.failures.join("\n")).toBe(ExitCode.Success);
    expect(Object.keys(actions.outputs).length).toBeGreaterThan(0);
    expect(undeclaredOutputs(unit)).toEqual([]);
  });

  it("a deprecated input still works, with a warning", async () => {
    resetActions({ cluster: "c", service: "s", timeout: "3m" });
    expect(await deployServiceAction(undefined, {})).toBe(ExitCode.Success);
    expect(actions.warnings).toContain('input "timeout" is deprecated; use "gate-timeout"');
  });
});
