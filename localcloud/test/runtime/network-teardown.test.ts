import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../../src/runtime/exec";
import { destroyNetns } from "../../src/runtime/network";
import { remember } from "../../src/runtime/resources";
import { requireContainerPrivileges } from "./fixtures";

const names: string[] = [];

afterAll(async () => {
  for (const name of names) await run("ip", ["netns", "del", name], { allowFailure: true });
});

describe("network teardown", () => {
  it("a namespace removed by a concurrent teardown counts as removed", async () => {
    await requireContainerPrivileges();
    const stateDir = await mkdtemp(join(tmpdir(), "lc-teardown-"));
    try {
      const name = `lc-t${process.pid.toString(36)}${Date.now().toString(36)}`.slice(0, 15);
      names.push(name);
      await run("ip", ["netns", "add", name]);
      await remember(stateDir, { kind: "netns", name });
      // A stopping task and the final cleanup both tear it down: both see it, one deletes it.
      const results = await Promise.allSettled(
        Array.from({ length: 4 }, () => destroyNetns(stateDir, name)),
      );
      expect(results.map((result) => result.status)).toEqual(Array(4).fill("fulfilled"));
      const listed = await run("ip", ["netns", "list"]);
      expect(listed.stdout.split("\n").map((line) => line.split(" ")[0])).not.toContain(name);
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
