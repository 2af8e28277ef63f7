import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { ECRClient } from "@aws-sdk/client-ecr";
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
} from "@aws-sdk/client-ecs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import type { BuildImageInputs } from "../../src/images/inputs";
import type { PlannedImage } from "../../src/release/plan";
import { releaseTaskDefinitionDiff } from "../../src/release/task-definition-diff";
import { parseImageChange } from "../../src/service/inputs";
import { parseTaskDefinitionFile } from "../../src/taskdef/load";

const ECR = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";
const A = `sha256:${"a".repeat(64)}`;
const B = `sha256:${"b".repeat(64)}`;
const ecs = mockClient(ECSClient);

const clients = () => ({
  ecs: new ECSClient({ region: "eu-west-1" }),
  elb: new ElasticLoadBalancingV2Client({ region: "eu-west-1" }),
  ecr: new ECRClient({ region: "eu-west-1" }),
  logs: new CloudWatchLogsClient({ region: "eu-west-1" }),
});

beforeEach(() => {
  ecs.reset();
  ecs.on(DescribeServicesCommand).resolves({
    services: [
      {
        serviceName: "web",
        status: "ACTIVE",
        taskDefinition: "arn:aws:ecs:eu-west-1:123456789012:task-definition/web:4",
        deployments: [
          {
            status: "PRIMARY",
            taskDefinition: "arn:aws:ecs:eu-west-1:123456789012:task-definition/web:4",
          },
        ],
      },
    ],
  });
  ecs.on(DescribeTaskDefinitionCommand).resolves({
    taskDefinition: {
      taskDefinitionArn: "arn:aws:ecs:eu-west-1:123456789012:task-definition/web:4",
      revision: 4,
      status: "ACTIVE",
      family: "web",
      networkMode: "awsvpc",
      cpu: "256",
      memory: "512",
      containerDefinitions: [
        {
          name: "api",
          image: `${ECR}/shipline/api@${A}`,
          essential: true,
          environment: [{ name: "RELEASE_ID", value: "r1" }],
        },
        { name: "proxy", image: `${ECR}/shipline/nginx@${A}`, essential: true },
      ],
    },
  });
});

const service = (extra: object = {}) => ({
  cluster: "shipline",
  service: "web",
  environment: { api: { RELEASE_ID: "r2" } },
  ...extra,
});

describe("what a release would change in the live task definition", () => {
  it("without a file: the new images and variables on the live revision", async () => {
    const images: PlannedImage[] = [
      {
        container: "api",
        source: "given",
        change: parseImageChange(`api=${ECR}/shipline/api@${B}`),
      },
      {
        container: "proxy",
        source: "build",
        inputs: { repository: "shipline/nginx", tags: ["abc1234"] } as BuildImageInputs,
      },
    ];
    const diff = await releaseTaskDefinitionDiff({ images, service: service() }, clients());
    expect(diff.liveArn).toBe("arn:aws:ecs:eu-west-1:123456789012:task-definition/web:4");
    expect(diff.changes).toEqual([
      "containerDefinitions[api].environment[RELEASE_ID].value: r1 → r2",
      `containerDefinitions[api].image: ${ECR}/shipline/api@${A} → ${ECR}/shipline/api@${B}`,
      `containerDefinitions[proxy].image: ${ECR}/shipline/nginx@${A} → (built by the release: shipline/nginx:abc1234, pinned by digest)`,
    ]);
  });

  it("with a file: the file's fields, a promoted image as the digest it copies", async () => {
    const file = parseTaskDefinitionFile(
      [
        "cpu: 512",
        'memory: "512"',
        "networkMode: awsvpc",
        "containerDefinitions:",
        "  - name: api",
        "  - { name: proxy, image: nginx:1.27 }",
      ].join("\n"),
      "web.task.yml",
    );
    const images: PlannedImage[] = [
      {
        container: "api",
        source: "copy",
        from: { repository: "staging/api", digest: B, uri: `${ECR}/staging/api@${B}` },
        repository: "shipline/api",
      },
    ];
    const diff = await releaseTaskDefinitionDiff(
      { images, service: service({ taskDefinitionFile: file }) },
      clients(),
    );
    expect(diff.file).toBe("web.task.yml");
    expect(diff.changes).toEqual([
      "containerDefinitions[api].environment[RELEASE_ID].value: r1 → r2",
      `containerDefinitions[api].image: ${ECR}/shipline/api@${A} → ${ECR}/shipline/api@${B}`,
      `containerDefinitions[proxy].image: ${ECR}/shipline/nginx@${A} → nginx:1.27`,
      "cpu: 256 → 512",
    ]);
  });
});
