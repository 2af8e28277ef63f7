import { execFile } from "node:child_process";
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { renderNginxConfig } from "../src/render";
import { nginxConfigTest } from "./support/nginx-check";

const run = promisify(execFile);
const folders: string[] = [];

async function renderInto(env: Record<string, string>) {
  const dir = await mkdtemp(join(tmpdir(), "shipline-nginx-"));
  folders.push(dir);
  await chmod(dir, 0o755);
  return renderNginxConfig({ env, outDir: join(dir, "conf") });
}

afterAll(async () => {
  await Promise.all(folders.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe("rendered nginx config", () => {
  it("passes nginx -t with the defaults", async () => {
    const config = await renderInto({});
    const result = await nginxConfigTest(config);
    expect(result.stderr).toContain("test is successful");
    expect(result.code).toBe(0);
    const server = await readFile(join(config.prefix, "conf.d", "default.conf"), "utf8");
    expect(server).toContain("listen 0.0.0.0:8080;");
    expect(server).toContain("server 127.0.0.1:3000;");
    expect(server).toContain("set_real_ip_from 10.0.0.0/8;");
  });

  // Run as root, check as nobody; run as anyone else, the test above already did.
  it.skipIf(process.getuid?.() !== 0)("passes nginx -t as an unprivileged user", async () => {
    const config = await renderInto({ NGINX_PORT: "8081", REAL_IP_FROM: "172.16.0.0/12" });
    await run("chown", ["-R", "nobody:nogroup", config.prefix]);
    const result = await nginxConfigTest(config, "nobody");
    expect(result.stderr).toContain("test is successful");
    expect(result.code).toBe(0);
  });

  it("fails nginx -t when a value is not valid for nginx", async () => {
    const config = await renderInto({ CLIENT_MAX_BODY_SIZE: "lots" });
    const result = await nginxConfigTest(config);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/client_max_body_size/);
  });
});
