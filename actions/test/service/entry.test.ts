import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeImagesCommand, DescribeRepositoriesCommand, ECRClient } from "@aws-sdk/client-ecr";
import {
  DeregisterTaskDefinitionCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  type TaskDefinition,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import {
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { deployServiceAction } from "../../src/entries/deploy-service";
import { ManualClock } from "../../src/lib/clock";
import { ExitCode } from "../../src/lib/errors";
import { TerminalLogger } from "../../src/lib/logger";
import { DEPLOY_SERVICE } from "../../src/service/declaration";
import { deployService } from "../../src/service/deploy-service";
import { parseDeployServiceInputs } from "../../src/service/inputs";
import { actions, resetActions, undeclaredOutputs } from "../helpers/actions-core";

vi.mock("@actions/core", async () => (await import("../helpers/actions-core")).actionsCore);
vi.mock(
  "../../src/lib/workflow-commands",
  async () => (await import("../helpers/actions-core")).workflowCommands,
);

const ecs = mockClient(ECSClient);
const elb = mockClient(ElasticLoadBalancingV2Client);
const ecr = mockClient(ECRClient);

const ECR_HOST = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";
const OLD = `sha256:${"1".repeat(64)}`;
const NEW = `sha256:${"2".repeat(64)}`;
const TD = "arn:aws:ecs:eu-west-1:123456789012:task-definition/web";
const TG = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/api/abc";

const definition = (revision: number, digest: string): TaskDefinition => ({
  taskDefinitionArn: `${TD}:${revision}`,
  family: "web",
  revision,
  status: "ACTIVE",
  networkMode: "awsvpc",
  cpu: "256",
  memory: "512",
  containerDefinitions: [
    {
      name: "api",
      image: `${ECR_HOST}/shipline/api@${digest}`,
      portMappings: [{ containerPort: 3000 }],
      logConfiguration: {
        logDriver: "awslogs",
        options: { "awslogs-group": "/ecs/web", "awslogs-stream-prefix": "web" },
      },
    },
  ],
});

const service = (
  deployments: { id: string; status: string; taskDefinition: string; rolloutState?: string }[],
) => ({
  services: [
    {
      serviceName: "web",
      status: "ACTIVE",
      desiredCount: 1,
      taskDefinition: deployments[0]?.taskDefinition,
      healthCheckGracePeriodSeconds: 0,
      loadBalancers: [{ targetGroupArn: TG, containerName: "api", containerPort: 3000 }],
      networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-a"] } },
      deployments: deployments.map((d) => ({
        desiredCount: 1,
        runningCount: 1,
        rolloutState: "IN_PROGRESS",
        ...d,
      })),
      events: [],
    },
  ],
});

const task = (id: string, ip: string, startedBy: string) => ({
  taskArn: `arn:aws:ecs:eu-west-1:123456789012:task/prod/${id}`,
  lastStatus: "RUNNING",
  desiredStatus: "RUNNING",
  startedBy,
  startedAt: new Date(0),
  attachments: [{ details: [{ name: "privateIPv4Address", value: ip }] }],
  containers: [{ name: "api", lastStatus: "RUNNING" }],
});

/** A service on web:1 whose new deployment (web:2) gets one task whose target is `state`. */
function cloud(state: "healthy" | "unhealthy", after?: "ecs-rollback" | "superseded") {
  ecs.reset();
  elb.reset();
  ecr.reset();
  let updates = 0;
  ecs.on(DescribeTaskDefinitionCommand).callsFake((input: { taskDefinition: string }) => ({
    taskDefinition: input.taskDefinition === "web" ? definition(1, OLD) : definition(1, OLD),
    tags: [],
  }));
  ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: definition(2, NEW) });
  // No service deployment in flight: the rollout starts at once.
  ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [] });
  ecs.on(UpdateServiceCommand).callsFake((input: { taskDefinition: string }) => {
    updates += 1;
    const id = updates === 1 ? "ecs-svc/new" : "ecs-svc/back";
    return {
      service: service([{ id, status: "PRIMARY", taskDefinition: input.taskDefinition }])
        .services[0],
    };
  });
  ecs.on(DescribeServicesCommand).callsFake(() => {
    if (updates === 0)
      return service([
        {
          id: "ecs-svc/old",
          status: "PRIMARY",
          taskDefinition: `${TD}:1`,
          rolloutState: "COMPLETED",
        },
      ]);
    if (updates === 1 && after === "ecs-rollback") {
      // The circuit breaker gave up on web:2 and returns to web:1 by itself.
      return service([
        { id: "ecs-svc/back", status: "PRIMARY", taskDefinition: `${TD}:1` },
        { id: "ecs-svc/new", status: "ACTIVE", taskDefinition: `${TD}:2`, rolloutState: "FAILED" },
      ]);
    }
    if (updates === 1 && after === "superseded") {
      return service([
        { id: "ecs-svc/other", status: "PRIMARY", taskDefinition: `${TD}:9` },
        { id: "ecs-svc/new", status: "ACTIVE", taskDefinition: `${TD}:2` },
      ]);
    }
    if (updates === 1)
      return service([
        { id: "ecs-svc/new", status: "PRIMARY", taskDefinition: `${TD}:2` },
        { id: "ecs-svc/old", status: "ACTIVE", taskDefinition: `${TD}:1` },
      ]);
    return service([{ id: "ecs-svc/back", status: "PRIMARY", taskDefinition: `${TD}:1` }]);
  });
  ecs.on(ListTasksCommand).callsFake((input: { startedBy: string; desiredStatus: string }) => ({
    taskArns:
      input.desiredStatus === "RUNNING"
        ? [`arn:aws:ecs:eu-west-1:123456789012:task/prod/${input.startedBy.slice(8)}`]
        : [],
  }));
  ecs.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({
    tasks: input.tasks.map((arn) => {
      const id = arn.split("/").pop() ?? "";
      return task(id, id === "new" ? "10.0.0.2" : "10.0.0.3", `ecs-svc/${id}`);
    }),
  }));
  elb.on(DescribeTargetGroupsCommand).resolves({
    TargetGroups: [
      {
        TargetGroupArn: TG,
        TargetGroupName: "api",
        TargetType: "ip",
        Port: 3000,
        LoadBalancerArns: ["arn:lb"],
        HealthCheckPath: "/healthz",
        HealthCheckPort: "traffic-port",
        Matcher: { HttpCode: "200" },
      },
    ],
  });
  elb.on(DescribeTargetHealthCommand).resolves({
    TargetHealthDescriptions: [
      {
        Target: { Id: "10.0.0.2", Port: 3000 },
        TargetHealth:
          state === "healthy"
            ? { State: "healthy" }
            : {
                State: "unhealthy",
                Reason: "Target.ResponseCodeMismatch",
                Description: "Health checks failed with these codes: [503]",
              },
      },
      { Target: { Id: "10.0.0.3", Port: 3000 }, TargetHealth: { State: "healthy" } },
    ],
  });
  ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: NEW }] });
  ecr.on(DescribeRepositoriesCommand).resolves({ repositories: [] });
}

beforeEach(() => {
  vi.stubEnv("GITHUB_STEP_SUMMARY", "/dev/null");
  resetActions({
    cluster: "prod",
    service: "web",
    images: `api=${ECR_HOST}/shipline/api@${NEW}`,
    "gate-interval": "1s",
    "healthy-polls": "2",
    "gate-timeout": "1m",
    region: "eu-west-1",
  });
  process.exitCode = undefined;
});
// Every output the action sets is one its action.yml declares.
afterEach(() => {
  expect(undeclaredOutputs(DEPLOY_SERVICE)).toEqual([]);
});

describe("deploy-service action entry", () => {
  it("rolls out, tags the revision with the commit, sets every output and a summary", async () => {
    cloud("healthy");
    const code = await deployServiceAction(
      undefined,
      { GITHUB_SHA: "feedbeef" },
      new ManualClock(),
    );
    expect(code, actions.failures.join("\n")).toBe(ExitCode.Success);
    expect(actions.failures).toEqual([]);
    expect(actions.outputs).toMatchObject({
      "task-definition-arn": `${TD}:2`,
      "previous-task-definition-arn": `${TD}:1`,
      "deployment-id": "ecs-svc/new",
      verdict: "passed",
      "rolled-back": "false",
      registered: "true",
    });
    expect(Number(actions.outputs.duration)).toBeGreaterThanOrEqual(0);
    const registered = ecs.commandCalls(RegisterTaskDefinitionCommand)[0]?.args[0].input;
    expect(registered?.tags).toEqual([{ key: "shipline:commit", value: "feedbeef" }]);
    expect(registered?.containerDefinitions?.[0]?.image).toBe(`${ECR_HOST}/shipline/api@${NEW}`);
    expect(registered).not.toHaveProperty("taskDefinitionArn");
    expect(ecr.commandCalls(DescribeImagesCommand)[0]?.args[0].input).toMatchObject({
      registryId: "123456789012",
      repositoryName: "shipline/api",
      imageIds: [{ imageDigest: NEW }],
    });
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(1);
    expect(actions.summaries.length).toBeGreaterThanOrEqual(2);
  });

  it("rolls back an unhealthy release: exit code 1, one failure naming the target's reason", async () => {
    cloud("unhealthy");
    expect(await deployServiceAction(undefined, {}, new ManualClock())).toBe(
      ExitCode.FailedRolledBack,
    );
    expect(process.exitCode).toBe(ExitCode.FailedRolledBack);
    expect(actions.failures).toHaveLength(1);
    expect(actions.failures[0]).toMatch(/Health checks failed with these codes: \[503\]/);
    expect(actions.failures[0]).toMatch(/rolled back to .*web:1, which is healthy/);
    expect(actions.outputs).toMatchObject({ verdict: "target-unhealthy", "rolled-back": "true" });
    const updates = ecs
      .commandCalls(UpdateServiceCommand)
      .map((call) => call.args[0].input.taskDefinition);
    expect(updates).toEqual([`${TD}:2`, `${TD}:1`]);
    expect(
      actions.lines.some((line) => line.startsWith("hint: Task failed ELB health checks")),
    ).toBe(true);
  });

  it("bad input fails with exit code 4 before any AWS call", async () => {
    cloud("healthy");
    actions.inputs.images = "api=shipline/api:latest";
    actions.inputs["gate-timeout"] = "-1m";
    expect(await deployServiceAction(undefined, {}, new ManualClock())).toBe(ExitCode.BadInput);
    expect(actions.failures).toHaveLength(1);
    expect(actions.failures[0]).toContain('input "gate-timeout"');
    expect(actions.failures[0]).toContain("has no digest");
    expect(ecs.calls()).toHaveLength(0);
  });

  it("ECS rolled back under it: fails, gates ECS's own rollback instead of starting another", async () => {
    cloud("healthy", "ecs-rollback");
    expect(await deployServiceAction(undefined, {}, new ManualClock())).toBe(
      ExitCode.FailedRolledBack,
    );
    expect(actions.outputs).toMatchObject({ verdict: "rolled-back-by-ecs", "rolled-back": "true" });
    expect(actions.failures[0]).toMatch(
      /ECS rolled deployment ecs-svc\/new back: deployment ecs-svc\/back returns to .*web:1/,
    );
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(1);
  });

  it("a competing deployment: not rolled back over, the louder exit code", async () => {
    cloud("healthy", "superseded");
    expect(await deployServiceAction(undefined, {}, new ManualClock())).toBe(
      ExitCode.RollbackFailed,
    );
    expect(actions.outputs).toMatchObject({ verdict: "superseded", "rolled-back": "false" });
    expect(actions.failures[0]).toMatch(/was NOT rolled back \(another deployment replaced it\)/);
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(1);
  });

  it("rollback off: the failure is left in place, the louder exit code", async () => {
    cloud("unhealthy");
    actions.inputs.rollback = "false";
    expect(await deployServiceAction(undefined, {}, new ManualClock())).toBe(
      ExitCode.RollbackFailed,
    );
    expect(actions.outputs).toMatchObject({ verdict: "target-unhealthy", "rolled-back": "false" });
    expect(actions.failures[0]).toMatch(/NOT rolled back \(rollback is off\)/);
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(1);
  });

  it("the hard timeout is honoured: rolled back, exit code 3", async () => {
    cloud("healthy");
    // The new task never gets a target; the rollback's task is healthy.
    elb.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: "10.0.0.3", Port: 3000 }, TargetHealth: { State: "healthy" } },
      ],
    });
    actions.inputs["gate-timeout"] = "10s";
    const clock = new ManualClock();
    expect(await deployServiceAction(undefined, {}, clock)).toBe(ExitCode.TimedOut);
    expect(actions.outputs).toMatchObject({ verdict: "timed-out", "rolled-back": "true" });
    expect(actions.failures[0]).toMatch(/not healthy after 10 s: 0\/1 tasks serving/);
    // Polls every second until exactly the deadline, never a sleep past it.
    expect(clock.sleeps.slice(0, 10)).toEqual(Array(10).fill(1000));
  });

  it("a rollback that does not get healthy is its own, louder outcome: exit code 2", async () => {
    cloud("healthy");
    elb.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [] });
    actions.inputs["gate-timeout"] = "10s";
    actions.inputs["rollback-timeout"] = "5s";
    expect(await deployServiceAction(undefined, {}, new ManualClock())).toBe(
      ExitCode.RollbackFailed,
    );
    expect(actions.outputs).toMatchObject({ verdict: "timed-out", "rolled-back": "false" });
    expect(actions.failures[0]).toMatch(
      /^ROLLBACK FAILED: .*not healthy after 10 s.*not healthy after 5 s/,
    );
  });
});

describe("revisions deregistered after a rollout", () => {
  // web:5 and web:4 are failed deploys' revisions; web:3 is what a kept release runs (the same
  // content as an earlier release, reused rather than registered again).
  const rollOut = async (keptRevisions?: (keep: number) => Promise<string[] | undefined>) => {
    cloud("healthy");
    ecs.on(ListTaskDefinitionsCommand).resolves({
      taskDefinitionArns: [5, 4, 3, 2, 1].map((revision) => `${TD}:${revision}`),
    });
    ecs.on(DeregisterTaskDefinitionCommand).resolves({});
    const quiet = { write: () => true } as unknown as NodeJS.WritableStream;
    const result = await deployService(
      parseDeployServiceInputs({ ...actions.inputs, "keep-revisions": "2" }),
      {
        clients: {
          ecs: new ECSClient({}),
          elb: new ElasticLoadBalancingV2Client({}),
          ecr: new ECRClient({}),
          logs: new CloudWatchLogsClient({}),
        },
        logger: new TerminalLogger({ out: quiet, err: quiet }),
        clock: new ManualClock(),
        ...(keptRevisions ? { keptRevisions } : {}),
      },
    );
    expect(result.outcome).toBe("success");
    return ecs
      .commandCalls(DeregisterTaskDefinitionCommand)
      .map((call) => call.args[0].input.taskDefinition);
  };

  it("a release keeps what its ledger's kept releases run, and drops failed deploys' revisions", async () => {
    const asked: number[] = [];
    const deregistered = await rollOut(async (keep) => {
      asked.push(keep);
      return [`${TD}:1`, `${TD}:3`];
    });
    expect(asked).toEqual([2]);
    expect(deregistered).toEqual([`${TD}:5`, `${TD}:4`]);
  });

  it("a young ledger (fewer kept releases than asked) deregisters nothing", async () => {
    expect(await rollOut(async () => undefined)).toEqual([]);
  });

  it("deploy-service on its own keeps the family's newest revisions", async () => {
    expect(await rollOut()).toEqual([`${TD}:3`]);
  });
});
