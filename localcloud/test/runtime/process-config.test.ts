import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { processArgs, processEnv } from "../../src/runtime/process-config";
import { resolveInRoot } from "../../src/runtime/root-path";
import { parseSubnet } from "../../src/runtime/subnet";
import { resolveUser } from "../../src/runtime/users";

describe("processArgs", () => {
  const image = { Entrypoint: ["docker-entrypoint.sh"], Cmd: ["node"] };
  it.each([
    ["image defaults", undefined, undefined, ["docker-entrypoint.sh", "node"]],
    [
      "command replaces CMD",
      undefined,
      ["node", "server.js"],
      ["docker-entrypoint.sh", "node", "server.js"],
    ],
    ["entryPoint drops the image CMD", ["sh", "-c"], undefined, ["sh", "-c"]],
    ["both", ["node"], ["app.js"], ["node", "app.js"]],
  ])("%s", (_label, entryPoint, command, expected) => {
    expect(processArgs(image, entryPoint, command)).toEqual(expected);
  });

  it("refuses a container with nothing to run", () => {
    expect(() => processArgs({}, undefined, undefined)).toThrow(
      "CannotStartContainerError: no command specified",
    );
  });
});

describe("processEnv", () => {
  it("lets the container override the image and fills PATH, HOSTNAME and HOME", () => {
    const env = processEnv(
      { Env: ["A=image", "B=x=y"] },
      { A: "task" },
      { hostname: "ip-1", home: "/root" },
    );
    expect(env).toEqual([
      "A=task",
      "B=x=y",
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "HOSTNAME=ip-1",
      "HOME=/root",
    ]);
  });
});

describe("parseSubnet", () => {
  it("puts the host at .1 and tasks from .2 to the last address before broadcast", () => {
    expect(parseSubnet("198.18.0.0/16")).toMatchObject({
      gateway: "198.18.0.1",
      prefix: 16,
      firstHost: 198 * 2 ** 24 + 18 * 2 ** 16 + 2,
      lastHost: 198 * 2 ** 24 + 18 * 2 ** 16 + 65534,
    });
    expect(parseSubnet("198.18.7.9/24").cidr).toBe("198.18.7.0/24");
    expect(() => parseSubnet("198.18.0.0")).toThrow("invalid subnet");
    expect(() => parseSubnet("300.1.1.1/24")).toThrow("invalid IPv4 address");
  });
});

describe("image root filesystem", () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "localcloud-root-"));
    await mkdir(join(root, "etc"));
    await writeFile(
      join(root, "etc/passwd"),
      "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\n",
    );
    await writeFile(join(root, "etc/group"), "root:x:0:\nstaff:x:50:app\napp:x:1001:\n");
    await symlink("/etc", join(root, "link-abs"));
    await symlink("../../../../etc", join(root, "link-up"));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("resolves users as docker does", async () => {
    expect(await resolveUser(root, undefined)).toEqual({
      uid: 0,
      gid: 0,
      additionalGids: [],
      home: "/root",
    });
    expect(await resolveUser(root, "app")).toEqual({
      uid: 1000,
      gid: 1001,
      additionalGids: [50],
      home: "/home/app",
    });
    expect(await resolveUser(root, "1000:staff")).toMatchObject({ uid: 1000, gid: 50 });
    expect(await resolveUser(root, "4242")).toEqual({
      uid: 4242,
      gid: 0,
      additionalGids: [],
      home: "/",
    });
    await expect(resolveUser(root, "ghost")).rejects.toThrow("unable to find user ghost");
    await expect(resolveUser(root, "app:ghosts")).rejects.toThrow("unable to find group ghosts");
  });

  it("follows symbolic links without leaving the root", async () => {
    expect(await resolveInRoot(root, "/link-abs/passwd")).toBe(join(root, "etc/passwd"));
    expect(await resolveInRoot(root, "/link-up/passwd")).toBe(join(root, "etc/passwd"));
    expect(await resolveInRoot(root, "/../../etc/shadow")).toBe(join(root, "etc/shadow"));
  });
});
