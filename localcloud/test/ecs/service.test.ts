import { execFile } from "node:child_process";
import { promisify } from "node:util";
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
} from "@aws-sdk/client-cloudwatch";
import { GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { DescribeTargetHealthCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientConfig } from "../helpers/cloud";
import { disposeAndExpectNothingLeft, type EcsTestCloud, startEcsCloud, waitFor } from "./support";

const execFileAsync = promisify(execFile);
let t: EcsTestCloud;
let v1 = "";
let v2 = "";

beforeAll(async () => {
  t = await startEcsCloud();
  v1 = await t.registerRevision({ VERSION: "v1" });
  v2 = await t.registerRevision({ VERSION: "v2" });
}, 180_000);

afterAll(async () => {
  if (t) await disposeAndExpectNothingLeft(t);
});

const steady = (taskDefinition: string) =>
  waitFor(`a steady service on ${taskDefinition}`, async () => {
    const service = await t.describe();
    const [primary, ...others] = service.deployments ?? [];
    return others.length === 0 &&
      primary?.taskDefinition === taskDefinition &&
      primary.rolloutState === "COMPLETED"
      ? service
      : undefined;
  });

/** Sends requests through the load balancer until stopped; counts what failed. */
const probe = () => {
  let running = true;
  const results = { ok: 0, failed: 0, versions: new Set<string>(), errors: [] as string[] };
  const worker = async () => {
    while (running) {
      try {
        const response = await fetch(`${t.lbUrl}/`);
        const body = (await response.json()) as { version: string };
        if (response.status === 200) {
          results.ok += 1;
          results.versions.add(body.version);
        } else {
          results.failed += 1;
          results.errors.push(String(response.status));
        }
      } catch (error) {
        results.failed += 1;
        results.errors.push(String(error));
      }
    }
  };
  const workers = [worker(), worker()];
  return {
    results,
    async stop() {
      running = false;
      await Promise.all(workers);
      return results;
    },
  };
};

describe("an ECS service behind a load balancer", () => {
  it("starts its tasks as containers and becomes steady with healthy targets", async () => {
    await t.createService(v1);
    const service = await steady(v1);
    expect(service.runningCount).toBe(2);
    const messages = (service.events ?? []).map((e) => e.message ?? "");
    expect(
      messages.some((m) =>
        /\(service web\) has started 2 tasks: \(task \w+\) \(task \w+\)\./.test(m),
      ),
    ).toBe(true);
    expect(
      messages.some((m) =>
        m.startsWith("(service web) registered 1 targets in (target-group arn:"),
      ),
    ).toBe(true);
    expect(messages[0]).toBe("(service web) has reached a steady state.");

    const health = await t.elb.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: t.targetGroupArn }),
    );
    const taskArns =
      (await t.ecs.send(new ListTasksCommand({ cluster: "default", serviceName: "web" })))
        .taskArns ?? [];
    const tasks =
      (await t.ecs.send(new DescribeTasksCommand({ cluster: "default", tasks: taskArns }))).tasks ??
      [];
    const ips = tasks.map(
      (task) => task.attachments?.[0]?.details?.find((d) => d.name === "privateIPv4Address")?.value,
    );
    expect(new Set(health.TargetHealthDescriptions?.map((d) => d.Target?.Id))).toEqual(
      new Set(ips),
    );
    expect(health.TargetHealthDescriptions?.every((d) => d.TargetHealth?.State === "healthy")).toBe(
      true,
    );
    expect(
      tasks.every(
        (task) => task.startedBy === service.deployments?.[0]?.id && task.lastStatus === "RUNNING",
      ),
    ).toBe(true);

    const response = await fetch(`${t.lbUrl}/`);
    expect(await response.json()).toEqual({ version: "v1", mode: "ok" });
  });

  it("is seen as stable by the AWS CLI's waiter", async () => {
    await execFileAsync(
      "/usr/bin/aws",
      [
        "ecs",
        "wait",
        "services-stable",
        "--cluster",
        "default",
        "--services",
        "web",
        "--endpoint-url",
        t.cloud.endpoint,
      ],
      { env: { ...process.env, ...t.cloud.env(), AWS_CONFIG_FILE: "/dev/null" }, timeout: 60_000 },
    );
  });

  it("rolls to a new revision without a failed request", async () => {
    const load = probe();
    await t.ecs.send(
      new UpdateServiceCommand({ cluster: "default", service: "web", taskDefinition: v2 }),
    );
    await steady(v2);
    // Keep the stream going until at least 1,000 requests went through.
    await waitFor("1,000 requests", async () =>
      load.results.ok + load.results.failed >= 1000 ? true : undefined,
    );
    const results = await load.stop();
    expect(results.failed, results.errors.slice(0, 5).join("; ")).toBe(0);
    expect(results.ok).toBeGreaterThanOrEqual(1000);
    expect(results.versions).toEqual(new Set(["v1", "v2"]));
  });

  it("replaces tasks that fail ELB health checks, trips the circuit breaker and rolls back", async () => {
    const bad = await t.registerRevision({ VERSION: "v3", MODE: "unhealthy" });
    const load = probe();
    await t.ecs.send(
      new UpdateServiceCommand({ cluster: "default", service: "web", taskDefinition: bad }),
    );
    const service = await steady(v2);
    const results = await load.stop();
    const messages = (service.events ?? []).map((e) => e.message ?? "");
    expect(
      messages.some((m) =>
        /\(service web\) \(deployment ecs-svc\/\d+\) deployment failed: tasks failed to start\./.test(
          m,
        ),
      ),
    ).toBe(true);
    expect(
      messages.some((m) => /\(service web\) rolling back to deployment ecs-svc\/\d+\./.test(m)),
    ).toBe(true);
    expect(
      messages.some((m) =>
        /is unhealthy in \(target-group .*\) due to \(reason Health checks failed with these codes: \[503\]\)/.test(
          m,
        ),
      ),
    ).toBe(true);

    const stopped =
      (await t.ecs.send(new ListTasksCommand({ cluster: "default", desiredStatus: "STOPPED" })))
        .taskArns ?? [];
    const tasks =
      (await t.ecs.send(new DescribeTasksCommand({ cluster: "default", tasks: stopped }))).tasks ??
      [];
    const failedHealth = tasks.filter((task) => task.taskDefinitionArn === bad);
    expect(failedHealth.length).toBeGreaterThanOrEqual(3);
    expect(failedHealth[0]?.stoppedReason).toMatch(
      /^Task failed ELB health checks in \(target-group arn:aws:elasticloadbalancing:/,
    );
    expect(failedHealth[0]?.stopCode).toBe("ServiceSchedulerInitiated");
    // The old tasks kept serving: the unhealthy ones never received traffic.
    expect(results.failed, results.errors.slice(0, 5).join("; ")).toBe(0);
    expect(results.versions).toEqual(new Set(["v2"]));
  });

  it("deployment alarms: a deployment bakes after steady state, and an alarm in ALARM fails it and rolls back to the last completed one", async () => {
    const cw = new CloudWatchClient(clientConfig(t.cloud));
    const heartbeat = {
      Namespace: "Guard",
      MetricName: "Heartbeat",
      Dimensions: [{ Name: "Service", Value: "web" }],
    };
    // 10 s periods at 1/20 of the pace: 500 ms; two empty ones in a row are ALARM.
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: "web-guard",
        ...heartbeat,
        Statistic: "Sum",
        Period: 10,
        EvaluationPeriods: 2,
        DatapointsToAlarm: 2,
        Threshold: 1,
        ComparisonOperator: "LessThanThreshold",
        TreatMissingData: "breaching",
      }),
    );
    let good = "";
    const beats = setInterval(() => {
      void cw
        .send(
          new PutMetricDataCommand({
            Namespace: heartbeat.Namespace,
            MetricData: [{ ...heartbeat, Value: 1, StorageResolution: 1 }],
          }),
        )
        .catch(() => {});
    }, 100);
    const alarmState = async () =>
      (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["web-guard"] }))).MetricAlarms?.[0]
        ?.StateValue;
    try {
      await waitFor("the alarm to be OK", async () =>
        (await alarmState()) === "OK" ? true : undefined,
      );
      const alarms = { alarmNames: ["web-guard"], enable: true, rollback: true };
      const v5 = await t.registerRevision({ VERSION: "v5" });
      good = v5;
      const updated = await t.ecs.send(
        new UpdateServiceCommand({
          cluster: "default",
          service: "web",
          taskDefinition: v5,
          deploymentConfiguration: { alarms },
        }),
      );
      expect(updated.service?.deploymentConfiguration?.alarms).toEqual(alarms);
      // Steady, yet still IN_PROGRESS: the bake time (3 windows of 20 s, scaled) runs.
      const since = updated.service?.events?.[0]?.id;
      const baking = await waitFor("steady state during the bake time", async () => {
        const service = await t.describe();
        const [primary, ...others] = service.deployments ?? [];
        const events = service.events ?? [];
        const recent = events.slice(
          0,
          Math.max(
            0,
            events.findIndex((e) => e.id === since),
          ),
        );
        if (primary?.rolloutState === "FAILED" || primary?.taskDefinition !== v5) {
          throw new Error(`unexpected deployments: ${JSON.stringify(service.deployments)}`);
        }
        const steadyEvent = recent.some(
          (e) => e.message === "(service web) has reached a steady state.",
        );
        return others.length === 0 && steadyEvent ? primary : undefined;
      });
      expect(baking.rolloutState).toBe("IN_PROGRESS");
      await steady(v5);
    } finally {
      clearInterval(beats);
    }
    // No heartbeat from here on: the next deployment's alarm goes to ALARM during its rollout.
    const v4 = await t.registerRevision({ VERSION: "v4" });
    await t.ecs.send(
      new UpdateServiceCommand({ cluster: "default", service: "web", taskDefinition: v4 }),
    );
    const failed = await waitFor("the deployment to fail on its alarm", async () => {
      const service = await t.describe();
      const ours = service.deployments?.find((d) => d.taskDefinition === v4);
      return ours?.rolloutState === "FAILED" ? service : undefined;
    });
    const [rollback, ours] = failed.deployments ?? [];
    expect(ours?.rolloutStateReason).toMatch(
      /^ECS deployment ecs-svc\/\d+ failed: alarm\(s\) detected: web-guard\.$/,
    );
    expect(rollback).toMatchObject({ status: "PRIMARY", taskDefinition: good });
    expect(rollback?.rolloutStateReason).toBe(
      "ECS deployment detected triggered alarm(s) (web-guard). Rolling back to the last completed deployment.",
    );
    expect(await alarmState()).toBe("ALARM");
    const service = await steady(good);
    expect((service.events ?? []).map((e) => e.message)).toContainEqual(
      expect.stringMatching(
        /^\(service web\) \(deployment ecs-svc\/\d+\) deployment failed: alarm\(s\) detected: web-guard\.$/,
      ),
    );
    // Leave the service without alarms for the tests after this one.
    await t.ecs.send(
      new UpdateServiceCommand({
        cluster: "default",
        service: "web",
        deploymentConfiguration: { alarms: { alarmNames: [], enable: false, rollback: false } },
      }),
    );
  }, 120_000);

  it("reports an essential container that exits: stop code, exit code and its log lines", async () => {
    const crashing = await t.registerRevision({ MODE: "exit" });
    const started = await t.ecs.send(
      new RunTaskCommand({
        cluster: "default",
        taskDefinition: crashing,
        launchType: "FARGATE",
        networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-a"] } },
      }),
    );
    const taskArn = started.tasks?.[0]?.taskArn ?? "";
    expect(started.tasks?.[0]?.lastStatus).toBe("PROVISIONING");
    const task = await waitFor("the task to stop", async () => {
      const found = (
        await t.ecs.send(new DescribeTasksCommand({ cluster: "default", tasks: [taskArn] }))
      ).tasks?.[0];
      return found?.lastStatus === "STOPPED" ? found : undefined;
    });
    expect(task.stopCode).toBe("EssentialContainerExited");
    expect(task.stoppedReason).toBe("Essential container in task exited");
    expect(task.containers?.[0]?.exitCode).toBe(1);
    const taskId = taskArn.split("/").pop();
    const events = await t.logs.send(
      new GetLogEventsCommand({
        logGroupName: "/ecs/web",
        logStreamName: `web/app/${taskId}`,
        startFromHead: true,
      }),
    );
    // stdout and stderr are separate pipes: their lines may interleave either way.
    expect(events.events?.map((e) => e.message).sort()).toEqual([
      "boom: DATABASE_URL is missing",
      "starting",
    ]);
  });

  it("runs a one-off task with a command override: its exit code, and its lines in prefix/container/task-id", async () => {
    const started = await t.ecs.send(
      new RunTaskCommand({
        cluster: "default",
        taskDefinition: v1,
        launchType: "FARGATE",
        networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-a"] } },
        overrides: {
          containerOverrides: [
            { name: "app", command: ["node", "-e", "console.log('one-off'); process.exit(3)"] },
          ],
        },
      }),
    );
    const taskArn = started.tasks?.[0]?.taskArn ?? "";
    const task = await waitFor("the one-off task to stop", async () => {
      const found = (
        await t.ecs.send(new DescribeTasksCommand({ cluster: "default", tasks: [taskArn] }))
      ).tasks?.[0];
      return found?.lastStatus === "STOPPED" ? found : undefined;
    });
    expect(task.overrides?.containerOverrides?.[0]?.command).toEqual([
      "node",
      "-e",
      "console.log('one-off'); process.exit(3)",
    ]);
    expect(task.stopCode).toBe("EssentialContainerExited");
    expect(task.containers?.[0]?.exitCode).toBe(3);
    const events = await t.logs.send(
      new GetLogEventsCommand({
        logGroupName: "/ecs/web",
        logStreamName: `web/app/${taskArn.split("/").pop()}`,
        startFromHead: true,
      }),
    );
    // The override replaced the app: none of its own lines, only the command's.
    expect(events.events?.map((e) => e.message)).toEqual(["one-off"]);
  });

  it("is driven by the AWS CLI v2: ecs describe-tasks and logs filter-log-events", async () => {
    const cli = async (args: string[]) =>
      JSON.parse(
        (
          await execFileAsync(
            "/usr/bin/aws",
            [...args, "--endpoint-url", t.cloud.endpoint, "--output", "json"],
            {
              env: { ...process.env, ...t.cloud.env(), AWS_CONFIG_FILE: "/dev/null" },
            },
          )
        ).stdout,
      );
    const stopped = await cli([
      "ecs",
      "list-tasks",
      "--cluster",
      "default",
      "--desired-status",
      "STOPPED",
    ]);
    const described = await cli([
      "ecs",
      "describe-tasks",
      "--cluster",
      "default",
      "--tasks",
      ...stopped.taskArns,
    ]);
    const crashed = described.tasks.find(
      (task: { stopCode?: string }) => task.stopCode === "EssentialContainerExited",
    );
    expect(crashed.containers[0].exitCode).toBe(1);
    const events = await cli([
      "logs",
      "filter-log-events",
      "--log-group-name",
      "/ecs/web",
      "--filter-pattern",
      "boom",
    ]);
    expect(events.events.map((e: { message: string }) => e.message)).toContain(
      "boom: DATABASE_URL is missing",
    );
  });

  it("fails a task whose image does not exist with CannotPullContainerError", async () => {
    const missing = await t.registerRevision(
      {},
      { image: `${t.registry}/app@sha256:${"0".repeat(64)}` },
    );
    const started = await t.ecs.send(
      new RunTaskCommand({ cluster: "default", taskDefinition: missing }),
    );
    const taskArn = started.tasks?.[0]?.taskArn ?? "";
    const task = await waitFor("the task to stop", async () => {
      const found = (
        await t.ecs.send(new DescribeTasksCommand({ cluster: "default", tasks: [taskArn] }))
      ).tasks?.[0];
      return found?.lastStatus === "STOPPED" ? found : undefined;
    });
    expect(task.stopCode).toBe("TaskFailedToStart");
    expect(task.stoppedReason).toMatch(/^CannotPullContainerError: /);
    expect(task.containers?.[0]?.reason).toMatch(/^CannotPullContainerError: .*not found/);
  });
});

describe("container secrets", () => {
  /** Prints a digest of each variable, never its value, and exits. */
  const REPORT = `const h = (v) => v === undefined ? "unset" : require("crypto").createHash("sha256").update(v).digest("hex"); console.log("DB_PASSWORD " + h(process.env.DB_PASSWORD)); console.log("API_KEY " + h(process.env.API_KEY));`;
  const sha256 = async (value: string) =>
    (await import("node:crypto")).createHash("sha256").update(value).digest("hex");

  const runWithSecrets = async (secrets: Array<{ name: string; valueFrom: string }>) => {
    const definition = await t.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "secrets",
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        cpu: "256",
        memory: "512",
        executionRoleArn: "arn:aws:iam::000000000000:role/exec",
        containerDefinitions: [
          {
            name: "app",
            image: t.image,
            command: ["node", "-e", REPORT],
            secrets,
            logConfiguration: {
              logDriver: "awslogs",
              options: {
                "awslogs-group": "/ecs/web",
                "awslogs-region": t.cloud.region,
                "awslogs-stream-prefix": "secrets",
              },
            },
          },
        ],
      }),
    );
    const started = await t.ecs.send(
      new RunTaskCommand({
        cluster: "default",
        taskDefinition: definition.taskDefinition?.taskDefinitionArn,
      }),
    );
    const taskArn = started.tasks?.[0]?.taskArn ?? "";
    const task = await waitFor("the task to stop", async () => {
      const found = (
        await t.ecs.send(new DescribeTasksCommand({ cluster: "default", tasks: [taskArn] }))
      ).tasks?.[0];
      return found?.lastStatus === "STOPPED" ? found : undefined;
    });
    return { task, taskId: taskArn.split("/").pop() ?? "" };
  };

  it("injects a Secrets Manager secret and an SSM SecureString into the environment at start", async () => {
    const config = clientConfig(t.cloud);
    const secret = await new SecretsManagerClient(config).send(
      new CreateSecretCommand({ Name: "web/db", SecretString: "s3cret-db" }),
    );
    await new SSMClient(config).send(
      new PutParameterCommand({ Name: "/web/api-key", Value: "k-42", Type: "SecureString" }),
    );
    const { task, taskId } = await runWithSecrets([
      { name: "DB_PASSWORD", valueFrom: secret.ARN ?? "" },
      { name: "API_KEY", valueFrom: "/web/api-key" },
    ]);
    expect(task.stopCode).toBe("EssentialContainerExited");
    const events = await t.logs.send(
      new GetLogEventsCommand({
        logGroupName: "/ecs/web",
        logStreamName: `secrets/app/${taskId}`,
        startFromHead: true,
      }),
    );
    expect(events.events?.map((e) => e.message)).toEqual([
      `DB_PASSWORD ${await sha256("s3cret-db")}`,
      `API_KEY ${await sha256("k-42")}`,
    ]);
  });

  it("stops a task whose secret does not exist with ResourceInitializationError, before it runs", async () => {
    const { task } = await runWithSecrets([
      {
        name: "DB_PASSWORD",
        valueFrom: `arn:aws:secretsmanager:${t.cloud.region}:000000000000:secret:missing-AbCdEf`,
      },
    ]);
    expect(task.stopCode).toBe("TaskFailedToStart");
    expect(task.stoppedReason).toMatch(
      /^ResourceInitializationError: unable to pull secrets or registry auth: .*ResourceNotFoundException/,
    );
    expect(task.containers?.[0]?.exitCode).toBeUndefined();
    const { task: ssmTask } = await runWithSecrets([
      { name: "API_KEY", valueFrom: "/web/no-such-parameter" },
    ]);
    expect(ssmTask.stoppedReason).toMatch(
      /^ResourceInitializationError: .*invalid ssm parameters: \/web\/no-such-parameter$/,
    );
  });
});
