import { describe, expect, it } from "vitest";
import type { Container, TaskRuntime } from "../../src/runtime";
import type { TaskRecord } from "../../src/services/ecs/model";
import { TaskLauncher } from "../../src/services/ecs/tasks";

/**
 * localcloud's stop waits for the launcher's work under way: a start or a stop in flight writes
 * its task's record (ecs.json) as it goes, and a test removes the state folder right after stop.
 * The runtime here is a stand-in whose steps the test releases, so the order is certain.
 */

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}
const deferred = <T>(): Deferred<T> => {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
};
const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

/** A container that exits when it is stopped. */
function fakeContainer(name: string): Container {
  const exit = deferred<{ exitCode: number }>();
  let running = true;
  return {
    name,
    exited: exit.promise,
    get running() {
      return running;
    },
    logs: () => [],
    stop: async () => {
      running = false;
      exit.resolve({ exitCode: 137 });
      return exit.promise;
    },
  } as unknown as Container;
}

function fakeRuntime(pull: Promise<void>, teardown: Promise<void>) {
  const network = { taskId: "t", ip: "198.18.0.2" };
  return {
    createTaskNetwork: async () => network,
    pullImage: async () => {
      await pull;
      return { digest: "sha256:0" };
    },
    startContainer: async (spec: { name: string }) => fakeContainer(spec.name),
    destroyTaskNetwork: () => teardown,
  } as unknown as TaskRuntime;
}

const taskRecord = (): TaskRecord =>
  ({
    taskArn: "arn:aws:ecs:us-east-1:000000000000:task/default/t",
    taskId: "t",
    lastStatus: "PROVISIONING",
    desiredStatus: "RUNNING",
    containers: [{ name: "app", lastStatus: "PENDING" }],
    overrides: {},
    targets: [],
    version: 1,
  }) as unknown as TaskRecord;

const DEFINITION = { containerDefinitions: [{ name: "app", image: "127.0.0.1:5000/app:1" }] };

function launcherOn(runtime: TaskRuntime) {
  const writes: string[] = [];
  let stopped = false;
  const late: string[] = [];
  const launcher = new TaskLauncher({
    runtime: async () => runtime,
    ecr: () => undefined,
    logs: () => undefined,
    secrets: { secretsManager: () => undefined, ssm: () => undefined },
    timeScale: 0.05,
    changed: (task) => {
      writes.push(task.lastStatus);
      if (stopped) late.push(task.lastStatus);
    },
  });
  const stopAll = async () => {
    await launcher.stopAll();
    stopped = true;
  };
  return { launcher, writes, late, stopAll };
}

describe("the task launcher at shutdown", () => {
  it("waits for a task's start under way: nothing is written after stopAll", async () => {
    const pull = deferred<void>();
    const { launcher, writes, late, stopAll } = launcherOn(
      fakeRuntime(pull.promise, Promise.resolve()),
    );
    launcher.launch(taskRecord(), DEFINITION);
    await turns(3);
    expect(writes).toEqual(["PENDING"]);
    const stopping = stopAll();
    pull.resolve();
    await stopping;
    await turns(5);
    expect(late).toEqual([]);
  });

  it("waits for the stop a killed container's exit begins, to its STOPPED record", async () => {
    const teardown = deferred<void>();
    const { launcher, writes, late, stopAll } = launcherOn(
      fakeRuntime(Promise.resolve(), teardown.promise),
    );
    const task = taskRecord();
    launcher.launch(task, DEFINITION);
    await turns(5);
    expect(task.lastStatus).toBe("RUNNING");
    let done = false;
    const stopping = stopAll().then(() => {
      done = true;
    });
    await turns(5);
    // The task's network is still being taken down: stopAll has not returned.
    expect(done).toBe(false);
    teardown.resolve();
    await stopping;
    expect(task.lastStatus).toBe("STOPPED");
    expect(writes.at(-1)).toBe("STOPPED");
    await turns(5);
    expect(late).toEqual([]);
  });
});
