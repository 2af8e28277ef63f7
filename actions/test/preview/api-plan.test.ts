import { describe, expect, it } from "vitest";
import {
  freePriority,
  previewApiNames,
  previewTaskDefinition,
  withheldFromPreview,
} from "../../src/preview/api-plan";

describe("a preview API's names", () => {
  it("derives every name from production's and the pull request number", () => {
    expect(
      previewApiNames({
        service: "shipline-web",
        family: "web",
        pullRequest: 42,
        domain: "preview.example.com",
      }),
    ).toEqual({
      service: "shipline-web-pr-42",
      family: "web-pr-42",
      targetGroup: "shipline-web-pr-42",
      host: "pr-42.preview.example.com",
      tag: "pr-42",
    });
  });

  it("keeps target group names within ELBv2's 32 characters, without a hyphen at either end", () => {
    const names = previewApiNames({
      service: "a_very-long-service-name-for-the-api",
      family: "f",
      pullRequest: 12345,
      domain: "p.example",
    });
    expect(names.targetGroup).toBe("a-very-long-service-nam-pr-12345");
    expect(names.targetGroup.length).toBeLessThanOrEqual(32);
    expect(
      previewApiNames({
        service: "abcdefghijklmnopqrstuvwxyz-abcdef",
        family: "f",
        pullRequest: 7,
        domain: "d.example",
      }).targetGroup,
    ).toBe("abcdefghijklmnopqrstuvwxyz-pr-7");
  });
});

describe("a free listener rule priority", () => {
  it("is the lowest one no rule holds, skipping those lost to another run", () => {
    expect(freePriority([])).toBe(1);
    expect(freePriority([1, 2, 4])).toBe(3);
    expect(freePriority([1, 2, 4], [3])).toBe(5);
    expect(freePriority(Array.from({ length: 50_000 }, (_, i) => i + 1))).toBeUndefined();
  });
});

describe("a preview's task definition", () => {
  it("is production's in its own family, with the pull request's images and environment", () => {
    const body = previewTaskDefinition(
      {
        taskDefinitionArn: "arn:aws:ecs:eu-west-1:1:task-definition/web:3",
        revision: 3,
        family: "web",
        taskRoleArn: "arn:aws:iam::1:role/web-task",
        executionRoleArn: "arn:aws:iam::1:role/web-execution",
        containerDefinitions: [
          {
            name: "api",
            image: "r/api@sha256:1",
            environment: [{ name: "DATABASE_URL", value: "postgres://db/x" }],
            secrets: [
              { name: "SESSION_KEY", valueFrom: "arn:aws:secretsmanager:eu-west-1:1:secret:k" },
            ],
            environmentFiles: [{ type: "s3", value: "arn:aws:s3:::config/web.env" }],
          },
          { name: "nginx", image: "r/nginx@sha256:2" },
        ],
      },
      "web-pr-5",
      [
        {
          container: "api",
          image: "r/api@sha256:9",
          registry: "r",
          repository: "api",
          digest: "sha256:9",
        },
      ],
      { api: { DATABASE_URL: "" } },
    );
    expect(body.family).toBe("web-pr-5");
    expect(body).not.toHaveProperty("revision");
    // The pull request's code never runs with production's role or secrets.
    expect(body).not.toHaveProperty("taskRoleArn");
    expect(body.executionRoleArn).toBe("arn:aws:iam::1:role/web-execution");
    expect(body.containerDefinitions).toEqual([
      { name: "api", image: "r/api@sha256:9", environment: [{ name: "DATABASE_URL", value: "" }] },
      { name: "nginx", image: "r/nginx@sha256:2" },
    ]);
  });

  it("names what it leaves out of production's", () => {
    expect(
      withheldFromPreview({
        taskRoleArn: "arn:aws:iam::1:role/web-task",
        containerDefinitions: [
          { name: "api", secrets: [{ name: "SESSION_KEY", valueFrom: "x" }] },
          { name: "nginx", environmentFiles: [{ type: "s3", value: "y" }] },
        ],
      }),
    ).toEqual([
      "task role arn:aws:iam::1:role/web-task",
      "secret api:SESSION_KEY",
      "1 environment file(s) of nginx",
    ]);
    expect(withheldFromPreview({ containerDefinitions: [{ name: "api" }] })).toEqual([]);
  });
});
