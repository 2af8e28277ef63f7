import { describe, expect, it } from "vitest";
import { ConfigurationError } from "../../src/lib/errors";
import { parseTaskDefinitionFile } from "../../src/taskdef/load";
import { checkFileContainers } from "../../src/taskdef/render";

const GOOD = `
family: api
networkMode: awsvpc
requiresCompatibilities: [FARGATE]
cpu: 256
memory: "1024"
executionRoleArn: arn:aws:iam::123456789012:role/exec
containerDefinitions:
  - name: api
    memory: 1024
    portMappings: [{ containerPort: 8080 }]
    secrets:
      - { name: DB_PASSWORD, valueFrom: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf" }
    environment: [{ name: MODE, value: "ok" }]
    healthCheck: { command: [CMD-SHELL, "curl -f localhost:8080/healthz"], retries: 3 }
    logConfiguration: { logDriver: awslogs, options: { awslogs-group: /ecs/api } }
  - name: proxy
    image: nginx:1
`;

const problemsOf = (text: string, path = "td.yml"): string[] => {
  try {
    parseTaskDefinitionFile(text, path);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as Error).message.split("\n");
  }
  return [];
};

describe("a task definition file", () => {
  it("parses YAML and JSON alike, task-level sizes as the strings ECS takes", () => {
    const yaml = parseTaskDefinitionFile(GOOD, "td.yml");
    expect(yaml.body.cpu).toBe("256");
    expect(yaml.body.memory).toBe("1024");
    const json = parseTaskDefinitionFile(JSON.stringify(yaml.body), "td.json");
    expect(json.body).toEqual(yaml.body);
  });

  it("is refused with every problem named by file and JSON path", () => {
    const bad = GOOD.replace("family: api", "family: api\nrevision: 7\nstatus: ACTIVE")
      .replace("memory: 1024", "memroy: 1024")
      .replace("retries: 3", "retries: three")
      .replace('value: "ok"', "value: 1");
    expect(problemsOf(bad)).toEqual([
      "task definition file td.yml: revision: is read-only: ECS sets it when it registers a revision (DescribeTaskDefinition returns it); remove it",
      "task definition file td.yml: status: is read-only: ECS sets it when it registers a revision (DescribeTaskDefinition returns it); remove it",
      "task definition file td.yml: containerDefinitions[api].memroy: unknown field: not part of a container definition in RegisterTaskDefinition",
      "task definition file td.yml: containerDefinitions[api].environment[MODE].value: expected a string (quote numbers and booleans), got 1",
      'task definition file td.yml: containerDefinitions[api].healthCheck.retries: expected a whole number, got "three"',
    ]);
  });

  it("is refused when it is not JSON or YAML, naming the line", () => {
    expect(problemsOf('{"family": "api",\n  "containerDefinitions": [\n}', "td.json")[0]).toMatch(
      /^task definition file td\.json:\d+: not valid JSON or YAML: /,
    );
  });

  it("is refused when it holds DescribeTaskDefinition's answer as it is", () => {
    expect(problemsOf(JSON.stringify({ taskDefinition: { family: "api" } }))).toEqual([
      "task definition file td.yml: taskDefinition: the file holds DescribeTaskDefinition's answer: keep only what is inside taskDefinition (and remove its read-only fields)",
    ]);
  });

  it("takes tags as RegisterTaskDefinition does, and refuses them in any other shape", () => {
    const tagged = parseTaskDefinitionFile(
      `${GOOD}\ntags: [{ key: team, value: web }]\n`,
      "td.yml",
    );
    expect(tagged.body.tags).toEqual([{ key: "team", value: "web" }]);
    expect(problemsOf(`${GOOD}\ntags: { team: web }\n`)).toEqual([
      'task definition file td.yml: tags: expected a list of {key, value} strings, like [{ key: "team", value: "web" }]',
    ]);
  });

  it("needs task-level cpu and memory on Fargate, as ECS does", () => {
    expect(problemsOf(GOOD.replace("cpu: 256\n", ""))).toEqual([
      "task definition file td.yml: cpu: is required with requiresCompatibilities FARGATE (ECS refuses the definition without task-level cpu and memory)",
    ]);
  });

  it("refuses a container with more memory than its task, as ECS does", () => {
    expect(problemsOf(GOOD.replace('memory: "1024"', "memory: 512"))).toEqual([
      "task definition file td.yml: containerDefinitions[api].memory: 1024 MiB is more than the task's memory (512 MiB): ECS refuses it",
    ]);
    expect(problemsOf(GOOD.replace('memory: "1024"', 'memory: "1 GB"'))).toEqual([]);
  });

  it("needs an execution role for secrets, as ECS does", () => {
    expect(problemsOf(GOOD.replace(/^executionRoleArn:.*$/m, ""))).toEqual([
      "task definition file td.yml: containerDefinitions[api].secrets: ECS reads secrets with the task execution role: set executionRoleArn (ECS refuses the definition without it)",
    ]);
  });

  it("must have a container for every image of the release, and an image for every other one", () => {
    const file = parseTaskDefinitionFile(GOOD, "td.yml");
    expect(checkFileContainers(file, ["api"])).toEqual([]);
    expect(checkFileContainers(file, ["api", "web"])).toEqual([
      'task definition file td.yml: containerDefinitions: has no container "web", which the release has an image for (the file\'s containers: "api", "proxy")',
    ]);
    expect(checkFileContainers(file, [])).toEqual([
      'task definition file td.yml: containerDefinitions[api].image: is missing, and the release has no image for container "api" (give the image here, or add the container to containers or images)',
    ]);
  });
});
