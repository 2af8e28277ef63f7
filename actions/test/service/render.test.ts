import type { TaskDefinition } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { parseImageChange } from "../../src/service/inputs";
import {
  bodyOf,
  READ_ONLY_FIELDS,
  renderTaskDefinition,
  revisionTags,
  sameDefinition,
} from "../../src/service/render";

type Env = Record<string, Record<string, string>>;

const DIGEST = `sha256:${"a".repeat(64)}`;
const OTHER = `sha256:${"b".repeat(64)}`;
const ECR = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";

/** A registered definition as DescribeTaskDefinition returns it, read-only fields included. */
function registered(): TaskDefinition {
  return {
    taskDefinitionArn: "arn:aws:ecs:eu-west-1:123456789012:task-definition/web:7",
    family: "web",
    revision: 7,
    status: "ACTIVE",
    registeredAt: new Date(1_700_000_000_000),
    registeredBy: "arn:aws:iam::123456789012:role/deployer",
    requiresAttributes: [{ name: "com.amazonaws.ecs.capability.logging-driver.awslogs" }],
    compatibilities: ["EC2", "FARGATE"],
    networkMode: "awsvpc",
    cpu: "256",
    memory: "512",
    executionRoleArn: "arn:aws:iam::123456789012:role/exec",
    requiresCompatibilities: ["FARGATE"],
    runtimePlatform: { cpuArchitecture: "ARM64", operatingSystemFamily: "LINUX" },
    ephemeralStorage: { sizeInGiB: 30 },
    volumes: [{ name: "tmp" }],
    containerDefinitions: [
      {
        name: "api",
        image: `${ECR}/shipline/api@${OTHER}`,
        essential: true,
        environment: [
          { name: "NODE_ENV", value: "production" },
          { name: "LOG_LEVEL", value: "info" },
        ],
        secrets: [
          { name: "DATABASE_URL", valueFrom: "arn:aws:secretsmanager:eu-west-1:1:secret:db" },
        ],
        portMappings: [{ containerPort: 3000, protocol: "tcp" }],
        healthCheck: { command: ["CMD", "true"], interval: 10 },
        mountPoints: [{ sourceVolume: "tmp", containerPath: "/tmp" }],
      },
      {
        name: "nginx",
        image: `${ECR}/shipline/nginx@${OTHER}`,
        essential: true,
        portMappings: [{ containerPort: 8080 }],
        dependsOn: [{ containerName: "api", condition: "HEALTHY" }],
      },
    ],
  };
}

const change = (container: string, repository: string, digest = DIGEST) =>
  parseImageChange(`${container}=${ECR}/${repository}@${digest}`);

describe("renderTaskDefinition", () => {
  it("drops every read-only field and nothing else", () => {
    const body = bodyOf(registered()) as Record<string, unknown>;
    for (const field of READ_ONLY_FIELDS) expect(body).not.toHaveProperty(field);
    const {
      taskDefinitionArn,
      revision,
      status,
      registeredAt,
      registeredBy,
      requiresAttributes,
      compatibilities,
      ...rest
    } = registered();
    expect(body).toEqual(rest);
  });

  it.each([
    {
      name: "one image",
      images: [change("api", "shipline/api")],
      environment: {},
      expectImages: {
        api: `${ECR}/shipline/api@${DIGEST}`,
        nginx: `${ECR}/shipline/nginx@${OTHER}`,
      },
    },
    {
      name: "two images in one step",
      images: [change("api", "shipline/api"), change("nginx", "shipline/nginx")],
      environment: {},
      expectImages: {
        api: `${ECR}/shipline/api@${DIGEST}`,
        nginx: `${ECR}/shipline/nginx@${DIGEST}`,
      },
    },
    {
      name: "environment only",
      images: [],
      environment: { api: { APP_FAULT: "unhealthy" } },
      expectImages: {
        api: `${ECR}/shipline/api@${OTHER}`,
        nginx: `${ECR}/shipline/nginx@${OTHER}`,
      },
    },
  ])(
    "$name: replaces only what was asked, passes every other field through",
    ({ images, environment, expectImages }) => {
      const current = registered();
      const body = renderTaskDefinition(current, { images, environment: environment as Env });
      const byName = Object.fromEntries((body.containerDefinitions ?? []).map((c) => [c.name, c]));
      expect(byName.api?.image).toBe(expectImages.api);
      expect(byName.nginx?.image).toBe(expectImages.nginx);
      // Fields no list names survive untouched.
      expect(body.runtimePlatform).toEqual(current.runtimePlatform);
      expect(body.ephemeralStorage).toEqual({ sizeInGiB: 30 });
      expect(byName.api?.secrets).toEqual(current.containerDefinitions?.[0]?.secrets);
      expect(byName.api?.healthCheck).toEqual({ command: ["CMD", "true"], interval: 10 });
      expect(byName.nginx?.dependsOn).toEqual([{ containerName: "api", condition: "HEALTHY" }]);
      // The input is not modified.
      expect(current.containerDefinitions?.[0]?.image).toBe(`${ECR}/shipline/api@${OTHER}`);
    },
  );

  it("replaces an existing variable in place and appends a new one, in that container only", () => {
    const body = renderTaskDefinition(registered(), {
      images: [],
      environment: { api: { LOG_LEVEL: "debug", APP_FAULT: "crash-on-start" } },
    });
    expect(body.containerDefinitions?.[0]?.environment).toEqual([
      { name: "NODE_ENV", value: "production" },
      { name: "LOG_LEVEL", value: "debug" },
      { name: "APP_FAULT", value: "crash-on-start" },
    ]);
    expect(body.containerDefinitions?.[1]?.environment).toBeUndefined();
  });

  it("keeps unknown fields a newer ECS may add", () => {
    const current = { ...registered(), someFutureField: { enabled: true } } as TaskDefinition;
    const body = renderTaskDefinition(current, {
      images: [change("api", "shipline/api")],
      environment: {},
    });
    expect((body as Record<string, unknown>).someFutureField).toEqual({ enabled: true });
  });
});

describe("sameDefinition", () => {
  it.each([
    {
      name: "the same images",
      images: [change("api", "shipline/api", OTHER)],
      environment: {},
      same: true,
    },
    {
      name: "a variable set to its current value",
      images: [],
      environment: { api: { NODE_ENV: "production" } },
      same: true,
    },
    { name: "a new digest", images: [change("api", "shipline/api")], environment: {}, same: false },
    {
      name: "a changed variable",
      images: [],
      environment: { api: { LOG_LEVEL: "debug" } },
      same: false,
    },
    { name: "a new variable", images: [], environment: { nginx: { A: "1" } }, same: false },
  ])("$name → same: $same", ({ images, environment, same }) => {
    const current = registered();
    expect(
      sameDefinition(
        renderTaskDefinition(current, { images, environment: environment as Env }),
        current,
      ),
    ).toBe(same);
  });

  it("ignores key order and the read-only fields of the other revision", () => {
    const current = registered();
    const reordered = Object.fromEntries(Object.entries(bodyOf(current)).reverse());
    const other = {
      ...reordered,
      taskDefinitionArn: "x:9",
      revision: 9,
      registeredAt: new Date(),
    } as TaskDefinition;
    expect(sameDefinition(bodyOf(current), other)).toBe(true);
  });

  it("counts the defaults ECS fills in as no difference, a real change as one", () => {
    const described = registered();
    const [first, ...rest] = described.containerDefinitions ?? [];
    const withDefaults = {
      ...described,
      placementConstraints: [],
      containerDefinitions: [
        { ...first, essential: true, cpu: 0, volumesFrom: [], links: [] },
        ...rest,
      ],
    } as TaskDefinition;
    const written = bodyOf(registered());
    expect(sameDefinition(written, withDefaults)).toBe(true);
    expect(
      sameDefinition(
        { ...written, containerDefinitions: [{ ...first, cpu: 128 }, ...rest] },
        withDefaults,
      ),
    ).toBe(false);
  });
});

describe("revisionTags", () => {
  it("tags with the commit and the caller's tags", () => {
    expect(revisionTags("abc123", { release: "r1" })).toEqual([
      { key: "release", value: "r1" },
      { key: "shipline:commit", value: "abc123" },
    ]);
    expect(revisionTags(undefined, {})).toEqual([]);
  });
});
