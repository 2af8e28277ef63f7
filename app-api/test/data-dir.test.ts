import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApi } from "../src/index";
import { call } from "./support/http";

describe("embedded database in DATA_DIR", () => {
  let tempDir: string;
  let dataDir: string;
  beforeAll(async () => {
    tempDir = await mkdtemp(join(tmpdir(), "app-api-data-"));
    // A folder that does not exist yet: the service creates it on first start.
    dataDir = join(tempDir, "db");
  });
  afterAll(() => rm(tempDir, { recursive: true, force: true }));

  it("keeps users and tasks across a restart", async () => {
    const env = { DATA_DIR: dataDir, LOG_LEVEL: "silent" };
    const before = await startApi({ env });
    let taskId: string;
    try {
      const reg = await call(before.url, "POST", "/api/auth/register", {
        body: { email: "keeper@example.com", password: "correct horse" },
      });
      const created = await call(before.url, "POST", "/api/tasks", {
        token: reg.body.token,
        body: { title: "survive a restart" },
      });
      taskId = created.body.task.id;
    } finally {
      await before.stop();
    }

    const after = await startApi({ env });
    try {
      expect((await call(after.url, "GET", "/readyz")).status).toBe(200);
      const login = await call(after.url, "POST", "/api/auth/login", {
        body: { email: "keeper@example.com", password: "correct horse" },
      });
      expect(login.status).toBe(200);
      const tasks = await call(after.url, "GET", "/api/tasks", { token: login.body.token });
      expect(tasks.body.tasks).toEqual([
        expect.objectContaining({ id: taskId, title: "survive a restart" }),
      ]);
    } finally {
      await after.stop();
    }
  }, 90_000);
});
