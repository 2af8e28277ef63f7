import type { Service, TaskDefinition } from "@aws-sdk/client-ecs";
import type { TargetGroup } from "@aws-sdk/client-elastic-load-balancing-v2";
import { describe, expect, it } from "vitest";
import type { CurrentService } from "../../src/service/current";
import { parseDeployServiceInputs } from "../../src/service/inputs";
import { preflight } from "../../src/service/preflight";

const DIGEST = `sha256:${"d".repeat(64)}`;
const TG = "arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/api/1";

function current(over: {
  definition?: Partial<TaskDefinition>;
  group?: Partial<TargetGroup>;
  service?: Partial<Service>;
}): CurrentService {
  return {
    cluster: "prod",
    service: {
      serviceName: "web",
      loadBalancers: [{ targetGroupArn: TG, containerName: "api", containerPort: 3000 }],
      ...over.service,
    },
    taskDefinition: {
      family: "web",
      networkMode: "awsvpc",
      containerDefinitions: [
        { name: "api", image: "a", portMappings: [{ containerPort: 3000 }] },
        { name: "nginx", image: "n", portMappings: [{ containerPort: 8080 }] },
      ],
      ...over.definition,
    },
    taskDefinitionTags: [],
    targetGroups: [
      {
        TargetGroupArn: TG,
        TargetGroupName: "api",
        TargetType: "ip",
        Port: 3000,
        HealthCheckPort: "traffic-port",
        LoadBalancerArns: ["arn:lb"],
        ...over.group,
      },
    ],
  };
}

const inputs = (raw: Record<string, string> = {}) =>
  parseDeployServiceInputs({ cluster: "prod", service: "web", ...raw });

describe("preflight", () => {
  it("accepts a sound request", () => {
    expect(
      preflight(
        current({}),
        inputs({ images: `api=r.example/api@${DIGEST}\nnginx=r.example/nginx@${DIGEST}` }),
      ),
    ).toEqual({ problems: [], warnings: [] });
  });

  it.each([
    {
      name: "unknown container in images",
      state: {},
      raw: { images: `worker=r.example/w@${DIGEST}` },
      problem:
        'images names container "worker", which is not in the task definition (containers of web: api, nginx)',
    },
    {
      name: "unknown container in environment",
      state: {},
      raw: { environment: "db:X=1" },
      problem: 'environment names container "db"',
    },
    {
      name: "unknown migration container",
      state: {},
      raw: { "migration-command": "node m.mjs", "migration-container": "jobs" },
      problem: 'migration-container names container "jobs"',
    },
    {
      name: "bridge networking",
      state: { definition: { networkMode: "bridge" } },
      raw: {},
      problem: 'network mode "bridge" is not supported',
    },
    {
      name: "instance targets",
      state: { group: { TargetType: "instance" } },
      raw: {},
      problem: 'target group api has target type "instance": not supported',
    },
    {
      name: "a target group no listener uses",
      state: { group: { LoadBalancerArns: [] } },
      raw: {},
      problem: "target group api is not used by any load balancer listener or rule",
    },
    {
      name: "the service's container port is not mapped",
      state: {
        service: {
          loadBalancers: [{ targetGroupArn: TG, containerName: "api", containerPort: 8080 }],
        },
      },
      raw: {},
      problem: 'sends target group api to port 8080 of container "api", which maps only 3000',
    },
    {
      name: "a health-check port no container listens on",
      state: { group: { HealthCheckPort: "9000" } },
      raw: {},
      problem:
        "target group api health-checks port 9000, but the task's containers map only 3000, 8080",
    },
    {
      name: "a Classic Load Balancer",
      state: {
        service: {
          loadBalancers: [
            { loadBalancerName: "old-elb", containerName: "api", containerPort: 3000 },
          ],
        },
      },
      raw: {},
      problem: 'load balancer "old-elb" is a Classic Load Balancer: not supported',
    },
  ])("refuses $name", ({ state, raw, problem }) => {
    const findings = preflight(
      current(state as Parameters<typeof current>[0]),
      inputs(raw as Record<string, string>),
    );
    expect(findings.problems.join("\n")).toContain(problem);
  });

  it("refuses blue/green services (CodeDeploy controller)", () => {
    const findings = preflight(
      current({ service: { deploymentController: { type: "CODE_DEPLOY" } } }),
      inputs(),
    );
    expect(findings.problems.join("\n")).toContain(
      "uses the CODE_DEPLOY deployment controller: not supported",
    );
  });

  it("warns when another deployment is still in progress", () => {
    const findings = preflight(
      current({
        service: {
          deployments: [
            { id: "ecs-svc/2", status: "PRIMARY" },
            { id: "ecs-svc/1", status: "ACTIVE" },
          ],
        },
      }),
      inputs(),
    );
    expect(findings.problems).toEqual([]);
    expect(findings.warnings[0]).toContain(
      "another deployment of web is still in progress (ecs-svc/1)",
    );
  });

  it("only warns when the target group's own port differs from the container port", () => {
    const findings = preflight(current({ group: { Port: 80 } }), inputs());
    expect(findings.problems).toEqual([]);
    expect(findings.warnings[0]).toContain(
      "declared on port 80; ECS registers container port 3000",
    );
  });
});
