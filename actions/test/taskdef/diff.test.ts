import { describe, expect, it } from "vitest";
import { diffTaskDefinitions, formatChange } from "../../src/taskdef/diff";

const live = {
  family: "api",
  networkMode: "awsvpc",
  cpu: "256",
  memory: "512",
  executionRoleArn: "arn:aws:iam::123456789012:role/exec",
  containerDefinitions: [
    {
      name: "api",
      image: "repo/api@sha256:aaa",
      essential: true,
      cpu: 0,
      memory: 512,
      environment: [
        { name: "MODE", value: "ok" },
        { name: "RELEASE_ID", value: "r1" },
      ],
      mountPoints: [],
      volumesFrom: [],
      portMappings: [{ containerPort: 8080, hostPort: 8080, protocol: "tcp" }],
      healthCheck: { command: ["CMD-SHELL", "true"], interval: 30, retries: 3 },
    },
    { name: "proxy", image: "nginx:1", essential: true },
  ],
};

const lines = (before: unknown, after: unknown) =>
  diffTaskDefinitions(before, after).map(formatChange);

describe("diffTaskDefinitions", () => {
  it("lists exactly the changed fields, as JSON paths with containers and variables by name", () => {
    const next = structuredClone(live);
    const api = next.containerDefinitions[0] as (typeof live.containerDefinitions)[0] & {
      secrets?: unknown;
    };
    api.memory = 1024;
    api.secrets = [{ name: "DB_PASSWORD", valueFrom: "arn:aws:ssm:eu-west-1:1:parameter/db" }];
    api.environment = [
      { name: "RELEASE_ID", value: "r2" },
      { name: "MODE", value: "ok" },
    ];
    api.healthCheck = { ...live.containerDefinitions[0]?.healthCheck, retries: 5 } as never;
    next.cpu = "512";
    expect(lines(live, next)).toEqual([
      "containerDefinitions[api].environment[RELEASE_ID].value: r1 → r2",
      "containerDefinitions[api].healthCheck.retries: 3 → 5",
      "containerDefinitions[api].memory: 512 → 1024",
      'containerDefinitions[api].secrets: (none) → [{"name":"DB_PASSWORD","valueFrom":"arn:aws:ssm:eu-west-1:1:parameter/db"}]',
      "cpu: 256 → 512",
    ]);
  });

  it("finds no change in what ECS fills in itself, nor in the order of named items", () => {
    const written = {
      family: "api",
      networkMode: "awsvpc",
      cpu: "256",
      memory: "512",
      executionRoleArn: "arn:aws:iam::123456789012:role/exec",
      containerDefinitions: [
        { name: "proxy", image: "nginx:1" },
        {
          name: "api",
          image: "repo/api@sha256:aaa",
          memory: 512,
          environment: [
            { name: "RELEASE_ID", value: "r1" },
            { name: "MODE", value: "ok" },
          ],
          portMappings: [{ containerPort: 8080 }],
          healthCheck: { command: ["CMD-SHELL", "true"], interval: 30, retries: 3 },
        },
      ],
    };
    expect(lines(live, written)).toEqual([]);
  });

  it("names added and removed containers, roles and list values", () => {
    const next = structuredClone(live) as Record<string, unknown> & typeof live;
    next.containerDefinitions = [
      { ...live.containerDefinitions[0], command: ["node", "server.js"] } as never,
      { name: "worker", image: "repo/worker:1" } as never,
    ];
    delete (next as Record<string, unknown>).executionRoleArn;
    next.taskRoleArn = "arn:aws:iam::123456789012:role/task";
    expect(lines(live, next)).toEqual([
      'containerDefinitions[api].command: (none) → ["node","server.js"]',
      'containerDefinitions[proxy]: {"name":"proxy","image":"nginx:1"} → (none)',
      'containerDefinitions[worker]: (none) → {"name":"worker","image":"repo/worker:1"}',
      "executionRoleArn: arn:aws:iam::123456789012:role/exec → (none)",
      "taskRoleArn: (none) → arn:aws:iam::123456789012:role/task",
    ]);
  });

  it("compares lists of unnamed objects item by item", () => {
    const next = structuredClone(live);
    next.containerDefinitions[0]?.portMappings?.push({
      containerPort: 9090,
      hostPort: 9090,
      protocol: "udp",
    });
    expect(lines(live, next)).toEqual([
      'containerDefinitions[api].portMappings[1]: (none) → {"containerPort":9090,"protocol":"udp"}',
    ]);
  });
});
