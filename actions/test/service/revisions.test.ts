import {
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  type TaskDefinition,
} from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { TerminalLogger } from "../../src/lib/logger";
import { bodyOf } from "../../src/service/render";
import { pruneRevisions, registerIfChanged } from "../../src/service/revisions";

const ecs = mockClient(ECSClient);
const sink = { write: () => true } as unknown as NodeJS.WritableStream;
const logger = new TerminalLogger({ out: sink, err: sink });
const arn = (n: number) => `arn:aws:ecs:eu-west-1:1:task-definition/web:${n}`;
const definition = (n: number, image: string): TaskDefinition => ({
  taskDefinitionArn: arn(n),
  family: "web",
  revision: n,
  status: "ACTIVE",
  containerDefinitions: [{ name: "api", image }],
});

beforeEach(() => ecs.reset());

describe("registerIfChanged", () => {
  it("reuses the current revision when the content is the same", async () => {
    const current = definition(3, "img@1");
    const result = await registerIfChanged(
      { ecs: new ECSClient({}) },
      bodyOf(current),
      current,
      [],
    );
    expect(result).toEqual({ taskDefinition: current, registered: false });
    expect(ecs.calls()).toHaveLength(0);
  });

  it("reuses the family's newest revision with the same content (a re-run after a rollback)", async () => {
    ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: definition(4, "img@2") });
    const result = await registerIfChanged(
      { ecs: new ECSClient({}) },
      bodyOf(definition(4, "img@2")),
      definition(3, "img@1"),
      [],
    );
    expect(result.registered).toBe(false);
    expect(result.taskDefinition.taskDefinitionArn).toBe(arn(4));
    expect(ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
  });

  it("registers with the tags when the content is new", async () => {
    ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: definition(3, "img@1") });
    ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: definition(4, "img@2") });
    const result = await registerIfChanged(
      { ecs: new ECSClient({}) },
      bodyOf(definition(4, "img@2")),
      definition(3, "img@1"),
      [{ key: "shipline:commit", value: "abc" }],
    );
    expect(result.registered).toBe(true);
    expect(ecs.commandCalls(RegisterTaskDefinitionCommand)[0]?.args[0].input.tags).toEqual([
      { key: "shipline:commit", value: "abc" },
    ]);
  });
});

describe("pruneRevisions", () => {
  it.each([
    { keep: 0, protect: [], deregistered: [] },
    { keep: 3, protect: [], deregistered: [4, 3, 2, 1] },
    { keep: 3, protect: [arn(2)], deregistered: [4, 3, 1] },
    { keep: 10, protect: [], deregistered: [] },
  ])(
    "keep $keep, protect $protect → deregisters $deregistered",
    async ({ keep, protect, deregistered }) => {
      // Two pages, newest first, and another family whose name starts the same.
      ecs
        .on(ListTaskDefinitionsCommand)
        .resolvesOnce({ taskDefinitionArns: [arn(7), arn(6), arn(5), arn(4)], nextToken: "p2" })
        .resolvesOnce({
          taskDefinitionArns: [
            arn(3),
            arn(2),
            arn(1),
            "arn:aws:ecs:eu-west-1:1:task-definition/web-worker:9",
          ],
        });
      ecs.on(DeregisterTaskDefinitionCommand).resolves({});
      const done = await pruneRevisions(
        { ecs: new ECSClient({}) },
        "web",
        { newest: keep },
        protect,
        logger,
      );
      expect(done).toEqual(deregistered.map(arn));
      expect(
        ecs
          .commandCalls(DeregisterTaskDefinitionCommand)
          .map((call) => call.args[0].input.taskDefinition),
      ).toEqual(deregistered.map(arn));
    },
  );
});
