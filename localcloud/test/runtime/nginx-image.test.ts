import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildBaseImage } from "../../src/images/base-image";
import { pushLayout } from "../../src/images/push";
import type { PulledImage } from "../../src/runtime/pull";
import { TaskRuntime } from "../../src/runtime/task-runtime";
import { startRegistry, type TestRegistry } from "../helpers/registry";
import { BASE_IMAGE_CACHE, requireContainerPrivileges, uniqueTestNetwork } from "./fixtures";

let registry: TestRegistry;
let stateDir: string;
let runtime: TaskRuntime;
let nginx: PulledImage;

beforeAll(async () => {
  await requireContainerPrivileges();
  registry = await startRegistry();
  stateDir = await mkdtemp(join(tmpdir(), "localcloud-nginx-"));
  const base = await buildBaseImage("nginx", BASE_IMAGE_CACHE);
  const { digest } = await pushLayout(base.reference, {
    registry: registry.host,
    repository: "base/nginx",
    tag: base.tag,
    username: registry.username,
    password: registry.password,
  });
  runtime = await TaskRuntime.open({ stateDir, network: await uniqueTestNetwork() });
  nginx = await runtime.pullImage({
    registryUrl: registry.url,
    repository: "base/nginx",
    reference: digest,
    auth: { username: registry.username, password: registry.password },
  });
});

afterAll(async () => {
  await runtime?.close();
  await registry?.stop();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

describe("the nginx base image", () => {
  it("runs nginx -v", async () => {
    const task = await runtime.createTaskNetwork("nginx-version");
    const version = await runtime.startContainer({
      name: "version",
      image: nginx,
      network: task,
      command: ["nginx", "-v"],
    });
    expect(await version.exited).toEqual({ exitCode: 0 });
    expect(version.logs().map((line) => line.message)).toEqual([
      expect.stringMatching(/^nginx version: nginx\/\d+\.\d+\.\d+/),
    ]);
  });

  it("serves its default page with the image's own command, workers as the nginx user", async () => {
    const task = await runtime.createTaskNetwork("nginx-serve");
    const server = await runtime.startContainer({ name: "nginx", image: nginx, network: task });
    const deadline = Date.now() + 10_000;
    let response: Response | undefined;
    while (!response) {
      response = await fetch(`http://${task.ip}/`).catch(async (error) => {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
        return undefined;
      });
    }
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("nginx is running");
    // The image has no ps: read each process's real uid with shell built-ins.
    const uids = await server.exec(
      [
        "/bin/sh",
        "-c",
        'for p in /proc/[0-9]*; do while read -r key uid rest; do if [ "$key" = Uid: ]; then echo "$uid"; fi; done < "$p/status"; done',
      ],
      5_000,
    );
    expect(uids).toMatchObject({ exitCode: 0 });
    // The master runs as root, the workers as the image's nginx user (uid 101).
    expect(new Set(uids.output.split("\n").filter(Boolean))).toEqual(new Set(["0", "101"]));
    // The access log goes to the container's stdout, as in the official image.
    await expect
      .poll(() =>
        server
          .logs()
          .some(
            (line) => line.stream === "stdout" && line.message.includes('"GET / HTTP/1.1" 200'),
          ),
      )
      .toBe(true);
    // nginx stops gracefully on SIGQUIT, the image's StopSignal.
    expect(await server.stop("SIGQUIT", 5_000)).toEqual({ exitCode: 0 });
  });
});
