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

  it("serves its default page on 8080 with the image's own command, every process as uid 101", async () => {
    const task = await runtime.createTaskNetwork("nginx-serve");
    const server = await runtime.startContainer({ name: "nginx", image: nginx, network: task });
    const response = await fetchWhenUp(`http://${task.ip}:8080/`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("nginx is running");
    // As nginx-unprivileged: no root process at all, master and workers run as uid 101.
    const uids = await server.exec(["/bin/sh", "-c", PROCESS_UIDS], 5_000);
    expect(uids).toMatchObject({ exitCode: 0 });
    expect(new Set(uids.output.split("\n").filter(Boolean))).toEqual(new Set(["101"]));
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

  it("renders its templates at start, replacing only the variables the environment defines", async () => {
    const task = await runtime.createTaskNetwork("nginx-templates");
    // The image has only built-ins to write files with: the template goes to /tmp, which the
    // entrypoint is pointed at, and the same entrypoint then starts nginx.
    const template = [
      "server {",
      `  listen ${braced("SITE_PORT")};`,
      `  # ${braced("NOT_DEFINED")} $SITE_PORT`,
      `  location / { return 200 "greeting=${braced("GREETING")} host=$host\\n"; }`,
      "}",
      "",
    ].join("\n");
    const server = await runtime.startContainer({
      name: "nginx",
      image: nginx,
      network: task,
      command: [
        "/bin/sh",
        "-c",
        `printf '%s' "$TEMPLATE" > /tmp/site.conf.template && exec /docker-entrypoint.sh nginx -g 'daemon off;'`,
      ],
      environment: {
        TEMPLATE: template,
        NGINX_ENVSUBST_TEMPLATE_DIR: "/tmp",
        SITE_PORT: "8081",
        GREETING: "hello",
      },
    });
    const response = await fetchWhenUp(`http://${task.ip}:8081/`);
    // nginx's own $host is left for nginx to fill in.
    expect(await response.text()).toBe(`greeting=hello host=${task.ip}\n`);
    const rendered = await server.exec(
      [
        "/bin/sh",
        "-c",
        'while IFS= read -r line; do echo "$line"; done < /etc/nginx/conf.d/site.conf',
      ],
      5_000,
    );
    expect(rendered.output).toContain(`  # ${braced("NOT_DEFINED")} 8081\n`);
    expect(server.logs().map((line) => line.message)).toContain(
      "docker-entrypoint.sh: Running envsubst on /tmp/site.conf.template to /etc/nginx/conf.d/site.conf",
    );
    expect(await server.stop("SIGQUIT", 5_000)).toEqual({ exitCode: 0 });
  });
});

/** `${NAME}`, written so that it is plainly not a placeholder of this file's own templates. */
const braced = (name: string) => `\${${name}}`;

/** Every process's real uid, read with shell built-ins (the image has no ps). */
const PROCESS_UIDS =
  'for p in /proc/[0-9]*; do while read -r key uid rest; do if [ "$key" = Uid: ]; then echo "$uid"; fi; done < "$p/status"; done';

async function fetchWhenUp(url: string): Promise<Response> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const response = await fetch(url).catch(async (error) => {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
      return undefined;
    });
    if (response) return response;
  }
}
