import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeregisterTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ecsService } from "../../src/services/ecs";
import { stsService } from "../../src/services/sts";
import { clientConfig, startTestCloud } from "../helpers/cloud";

/**
 * ECS documents that a deregistered (INACTIVE) revision can run no new task, create no service,
 * and that no service can be updated to it. Nothing here starts a container: every call is
 * refused, or the service wants no task.
 */
let cloud: Awaited<ReturnType<typeof startTestCloud>>;
let ecs: ECSClient;
let inactive: string;
let active: string;

beforeAll(async () => {
  cloud = await startTestCloud({ services: [stsService, ecsService] });
  ecs = new ECSClient({ ...clientConfig(cloud), maxAttempts: 1 });
  await ecs.send(new CreateClusterCommand({ clusterName: "prod" }));
  const register = async () =>
    (
      await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: "web",
          networkMode: "awsvpc",
          requiresCompatibilities: ["FARGATE"],
          cpu: "256",
          memory: "512",
          containerDefinitions: [{ name: "api", image: "example/api:1", essential: true }],
        }),
      )
    ).taskDefinition?.taskDefinitionArn as string;
  inactive = await register();
  active = await register();
  await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: inactive }));
  await ecs.send(
    new CreateServiceCommand({
      cluster: "prod",
      serviceName: "api",
      taskDefinition: active,
      desiredCount: 0,
    }),
  );
});

afterAll(async () => {
  await cloud?.dispose();
});

const refusal = { message: "TaskDefinition is inactive", $metadata: { httpStatusCode: 400 } };

describe("an INACTIVE task definition", () => {
  it("cannot be the target of UpdateService (ClientException)", async () => {
    await expect(
      ecs.send(
        new UpdateServiceCommand({ cluster: "prod", service: "api", taskDefinition: inactive }),
      ),
    ).rejects.toMatchObject({ name: "ClientException", ...refusal });
  });

  it("cannot create a service (ClientException)", async () => {
    await expect(
      ecs.send(
        new CreateServiceCommand({
          cluster: "prod",
          serviceName: "other",
          taskDefinition: inactive,
          desiredCount: 0,
        }),
      ),
    ).rejects.toMatchObject({ name: "ClientException", ...refusal });
  });

  it("cannot run a task (InvalidParameterException)", async () => {
    await expect(
      ecs.send(new RunTaskCommand({ cluster: "prod", taskDefinition: inactive })),
    ).rejects.toMatchObject({ name: "InvalidParameterException", ...refusal });
  });

  it("is skipped when only the family is named: its latest ACTIVE revision is used", async () => {
    const updated = await ecs.send(
      new UpdateServiceCommand({ cluster: "prod", service: "api", taskDefinition: "web" }),
    );
    expect(updated.service?.taskDefinition).toBe(active);
  });
});
