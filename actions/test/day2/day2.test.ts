import { describe, expect, it } from "vitest";
import { chooseContainer } from "../../src/day2/container-choice";
import { parseLogsInputs, parseRunInputs, parseScaleInputs } from "../../src/day2/inputs";
import { labelled, logSources } from "../../src/day2/tail";
import { ConfigurationError } from "../../src/lib/errors";
import type { CurrentService } from "../../src/service/current";

const awslogs = (group: string, prefix?: string) => ({
  logDriver: "awslogs" as const,
  options: { "awslogs-group": group, ...(prefix ? { "awslogs-stream-prefix": prefix } : {}) },
});

function serviceWith(
  containers: { name: string; essential?: boolean }[],
  balanced?: string,
): CurrentService {
  return {
    cluster: "c",
    service: {
      serviceName: "s",
      ...(balanced ? { loadBalancers: [{ containerName: balanced, containerPort: 80 }] } : {}),
    },
    taskDefinition: { taskDefinitionArn: "arn:td/web:7", containerDefinitions: containers },
    taskDefinitionTags: [],
    targetGroups: [],
  };
}

describe("where the logs are", () => {
  it("reads containers that log with awslogs and a stream prefix, as prefix/container/", () => {
    expect(
      logSources([
        { name: "api", logConfiguration: awslogs("/ecs/web", "web") },
        { name: "nginx", logConfiguration: awslogs("/ecs/edge", "edge") },
        { name: "no-prefix", logConfiguration: awslogs("/ecs/web") },
        { name: "syslog", logConfiguration: { logDriver: "syslog" } },
      ]),
    ).toEqual([
      { container: "api", group: "/ecs/web", streamPrefix: "web/api/" },
      { container: "nginx", group: "/ecs/edge", streamPrefix: "edge/nginx/" },
    ]);
  });

  it("labels a line by the task's short id and the container", () => {
    const source = { container: "api", group: "/ecs/web", streamPrefix: "web/api/" };
    expect(
      labelled(source, {
        logStreamName: "web/api/0123456789abcdef0123456789abcdef",
        message: "listening\n",
      }),
    ).toBe("0123456789ab api | listening");
  });
});

describe("the container a one-off command runs in", () => {
  const containers = [{ name: "nginx", essential: true }, { name: "api" }];
  it("is the load-balanced one by default, else the first essential one", () => {
    expect(chooseContainer(serviceWith(containers, "api"), undefined)).toBe("api");
    expect(chooseContainer(serviceWith(containers), undefined)).toBe("nginx");
  });

  it("is the one named; a name the task definition lacks is the user's mistake", () => {
    expect(chooseContainer(serviceWith(containers), "api")).toBe("api");
    expect(() => chooseContainer(serviceWith(containers), "worker")).toThrow(ConfigurationError);
    expect(() => chooseContainer(serviceWith(containers), "worker")).toThrow(
      /input "container" "worker" is not a container of arn:td\/web:7 \(it has "nginx", "api"\)/,
    );
  });
});

describe("day-2 inputs", () => {
  const where = { environment: "production", cluster: "c", service: "s", bucket: "b" };
  it.each([
    ["0", 0],
    ["2", 2],
    ["5000", 5000],
  ])("--count %s is %d tasks", (raw, count) => {
    expect(parseScaleInputs({ ...where, count: raw }).count).toBe(count);
  });

  it.each([[""], ["-1"], ["5001"], ["2.0"], ["two"]])("--count %j is refused", (raw) => {
    expect(() => parseScaleInputs({ ...where, count: raw })).toThrow(/input "count"/);
  });

  it("--since is a duration", () => {
    expect(parseLogsInputs({ ...where, since: "2h" }).since).toBe(7_200_000);
    expect(() => parseLogsInputs({ ...where, since: "yesterday" })).toThrow(/input "since"/);
  });

  it("run needs a command", () => {
    expect(parseRunInputs(where, ["node", "-v"]).command).toEqual(["node", "-v"]);
    expect(() => parseRunInputs(where, [])).toThrow(/input "command" is required/);
  });
});
