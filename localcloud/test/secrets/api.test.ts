import {
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from "@aws-sdk/client-ecs";
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import {
  GetParameterCommand,
  GetParametersCommand,
  PutParameterCommand,
  SSMClient,
} from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ecsService } from "../../src/services/ecs";
import { secretsManagerService } from "../../src/services/secretsmanager";
import { ssmService } from "../../src/services/ssm";
import { stsService } from "../../src/services/sts";
import { clientConfig, startTestCloud } from "../helpers/cloud";

/**
 * Secrets Manager and Parameter Store through the SDK's own clients (their JSON protocol), and the
 * task definition fields a deploy sets, as ECS stores and describes them. No container runs here.
 */
let cloud: Awaited<ReturnType<typeof startTestCloud>>;
let secrets: SecretsManagerClient;
let ssm: SSMClient;
let ecs: ECSClient;

beforeAll(async () => {
  cloud = await startTestCloud({
    services: [stsService, secretsManagerService, ssmService, ecsService],
  });
  const config = { ...clientConfig(cloud), maxAttempts: 1 };
  secrets = new SecretsManagerClient(config);
  ssm = new SSMClient(config);
  ecs = new ECSClient(config);
});

afterAll(async () => {
  await cloud?.dispose();
});

describe("Secrets Manager", () => {
  it("creates a secret, reads it by name, ARN and partial ARN, and rotates its value", async () => {
    const created = await secrets.send(
      new CreateSecretCommand({ Name: "prod/db-password", SecretString: "first" }),
    );
    expect(created.ARN).toMatch(
      new RegExp(
        `^arn:aws:secretsmanager:${cloud.region}:\\d{12}:secret:prod/db-password-[A-Za-z0-9]{6}$`,
      ),
    );
    const partial = (created.ARN ?? "").slice(0, -7);
    for (const id of ["prod/db-password", created.ARN, partial]) {
      const read = await secrets.send(new GetSecretValueCommand({ SecretId: id }));
      expect(read).toMatchObject({ SecretString: "first", VersionStages: ["AWSCURRENT"] });
    }
    await secrets.send(
      new PutSecretValueCommand({ SecretId: "prod/db-password", SecretString: "second" }),
    );
    expect(
      (await secrets.send(new GetSecretValueCommand({ SecretId: "prod/db-password" })))
        .SecretString,
    ).toBe("second");
    expect(
      (
        await secrets.send(
          new GetSecretValueCommand({ SecretId: "prod/db-password", VersionStage: "AWSPREVIOUS" }),
        )
      ).SecretString,
    ).toBe("first");
    await expect(
      secrets.send(new CreateSecretCommand({ Name: "prod/db-password", SecretString: "x" })),
    ).rejects.toMatchObject({ name: "ResourceExistsException" });
  });

  it("answers ResourceNotFoundException for an unknown secret, and refuses a deleted one", async () => {
    await expect(
      secrets.send(new GetSecretValueCommand({ SecretId: "nope" })),
    ).rejects.toMatchObject({ name: "ResourceNotFoundException" });
    await secrets.send(new CreateSecretCommand({ Name: "doomed", SecretString: "v" }));
    await secrets.send(new DeleteSecretCommand({ SecretId: "doomed", RecoveryWindowInDays: 7 }));
    await expect(
      secrets.send(new GetSecretValueCommand({ SecretId: "doomed" })),
    ).rejects.toMatchObject({ name: "InvalidRequestException" });
    await secrets.send(
      new DeleteSecretCommand({ SecretId: "doomed", ForceDeleteWithoutRecovery: true }),
    );
    await expect(
      secrets.send(new GetSecretValueCommand({ SecretId: "doomed" })),
    ).rejects.toMatchObject({ name: "ResourceNotFoundException" });
  });

  it("keeps secret values out of the request log", async () => {
    const since = cloud.requestLog.lastSeq;
    await secrets.send(new CreateSecretCommand({ Name: "logged", SecretString: "hush-1234" }));
    await secrets.send(new GetSecretValueCommand({ SecretId: "logged" }));
    const entries = cloud.requestLog.list({ sinceSeq: since, service: "secretsmanager" });
    expect(entries.map((e) => e.operation)).toEqual(["CreateSecret", "GetSecretValue"]);
    expect(JSON.stringify(entries)).not.toContain("hush-1234");
  });
});

describe("Parameter Store", () => {
  it("stores a SecureString, sealed unless read WithDecryption, by name or ARN", async () => {
    await ssm.send(
      new PutParameterCommand({ Name: "/prod/api-key", Value: "k-123", Type: "SecureString" }),
    );
    const sealed = await ssm.send(new GetParameterCommand({ Name: "/prod/api-key" }));
    expect(sealed.Parameter).toMatchObject({ Type: "SecureString", Version: 1 });
    expect(sealed.Parameter?.Value).not.toBe("k-123");
    const arn = sealed.Parameter?.ARN ?? "";
    expect(arn).toMatch(new RegExp(`^arn:aws:ssm:${cloud.region}:\\d{12}:parameter/prod/api-key$`));
    for (const name of ["/prod/api-key", arn]) {
      const open = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
      expect(open.Parameter?.Value).toBe("k-123");
    }
    await expect(
      ssm.send(
        new PutParameterCommand({ Name: "/prod/api-key", Value: "k-2", Type: "SecureString" }),
      ),
    ).rejects.toMatchObject({ name: "ParameterAlreadyExists" });
    await ssm.send(
      new PutParameterCommand({ Name: "/prod/api-key", Value: "k-2", Overwrite: true }),
    );
    const both = await ssm.send(
      new GetParametersCommand({ Names: ["/prod/api-key", "/prod/none"], WithDecryption: true }),
    );
    expect(both.Parameters?.map((p) => [p.Name, p.Value, p.Version])).toEqual([
      ["/prod/api-key", "k-2", 2],
    ]);
    expect(both.InvalidParameters).toEqual(["/prod/none"]);
    await expect(ssm.send(new GetParameterCommand({ Name: "/prod/none" }))).rejects.toMatchObject({
      name: "ParameterNotFound",
    });
  });
});

describe("task definitions with the fields a deploy sets", () => {
  const definition = {
    family: "api",
    networkMode: "awsvpc" as const,
    requiresCompatibilities: ["FARGATE" as const],
    cpu: "512",
    memory: "1024",
    executionRoleArn: "arn:aws:iam::000000000000:role/exec",
    taskRoleArn: "arn:aws:iam::000000000000:role/task",
    containerDefinitions: [
      {
        name: "api",
        image: "example/api:1",
        cpu: 256,
        memory: 768,
        memoryReservation: 512,
        portMappings: [{ containerPort: 8080, protocol: "tcp" as const }],
        secrets: [
          { name: "DB_PASSWORD", valueFrom: "arn:aws:secretsmanager:x:1:secret:db-AbCdEf" },
        ],
        environment: [{ name: "MODE", value: "ok" }],
        healthCheck: { command: ["CMD-SHELL", "true"], interval: 10, retries: 2 },
        logConfiguration: {
          logDriver: "awslogs" as const,
          options: { "awslogs-group": "/ecs/api", "awslogs-region": "us-east-1" },
        },
      },
    ],
  };

  it("are described back as registered", async () => {
    const registered = await ecs.send(new RegisterTaskDefinitionCommand(definition));
    const described = (
      await ecs.send(
        new DescribeTaskDefinitionCommand({
          taskDefinition: registered.taskDefinition?.taskDefinitionArn,
        }),
      )
    ).taskDefinition;
    expect(described).toMatchObject({
      ...definition,
      containerDefinitions: [{ ...definition.containerDefinitions[0], essential: true }],
    });
  });

  it("refuses a container with more memory than its task, as ECS does", async () => {
    const [api] = definition.containerDefinitions;
    await expect(
      ecs.send(
        new RegisterTaskDefinitionCommand({
          ...definition,
          memory: "1GB",
          containerDefinitions: [{ ...api, name: "api", image: "example/api:1", memory: 1025 }],
        }),
      ),
    ).rejects.toMatchObject({
      name: "ClientException",
      message: "The 'memory' setting for container 'api' is greater than for the task.",
    });
  });

  it("refuses secrets without an execution role, as ECS does", async () => {
    const { executionRoleArn: _, ...withoutRole } = definition;
    await expect(ecs.send(new RegisterTaskDefinitionCommand(withoutRole))).rejects.toMatchObject({
      name: "ClientException",
      message:
        "When you are specifying container secrets, you must also specify a value for 'executionRoleArn'.",
    });
  });
});
