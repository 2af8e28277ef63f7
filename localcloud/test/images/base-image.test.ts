import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import tar from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildBaseImage } from "../../src/images/base-image";
import { blobPath, readIndex } from "../../src/images/oci-layout";
import { pushLayout } from "../../src/images/push";
import { run } from "../../src/runtime/exec";
import { startRegistry, type TestRegistry } from "../helpers/registry";
import { BASE_IMAGE_CACHE } from "../runtime/fixtures";

let registry: TestRegistry;
let freshCache: string;

beforeAll(async () => {
  registry = await startRegistry();
  freshCache = await mkdtemp(join(tmpdir(), "localcloud-base-cache-"));
});

afterAll(async () => {
  await registry?.stop();
  if (freshCache) await rm(freshCache, { recursive: true, force: true });
});

async function layerEntries(
  layoutDir: string,
  layerDigest: string,
): Promise<Map<string, tar.Header>> {
  const extract = tar.extract();
  const headers = new Map<string, tar.Header>();
  const done = (async () => {
    for await (const entry of extract) {
      headers.set(entry.header.name.replace(/\/$/, ""), entry.header);
      entry.resume();
    }
  })();
  extract.end(gunzipSync(await readFile(blobPath(layoutDir, layerDigest))));
  await done;
  return headers;
}

describe("buildBaseImage", () => {
  it("builds the node image as an OCI layout with the binary, its libraries and users", async () => {
    const image = await buildBaseImage("node", BASE_IMAGE_CACHE);
    expect(image.tag).toBe(process.version.slice(1));
    const index = await readIndex(image.layoutDir);
    expect(index.manifests).toEqual([
      expect.objectContaining({
        digest: image.digest,
        annotations: { "org.opencontainers.image.ref.name": image.tag },
        platform: { architecture: "amd64", os: "linux" },
      }),
    ]);
    const config = JSON.parse(
      await readFile(blobPath(image.layoutDir, image.configDigest), "utf8"),
    );
    expect(config).toMatchObject({
      architecture: "amd64",
      os: "linux",
      config: { Cmd: ["node"], Env: expect.arrayContaining([expect.stringMatching(/^PATH=/)]) },
      rootfs: { type: "layers", diff_ids: [image.diffId] },
    });
    const files = await layerEntries(image.layoutDir, image.layerDigest);
    expect(files.get("usr/local/bin/node")?.mode).toBe(0o755);
    expect(files.get("lib64/ld-linux-x86-64.so.2")?.type).toBe("file");
    expect(files.get("tmp")?.mode).toBe(0o1777);
    expect(files.has("bin/sh")).toBe(true);
    const passwd = await run("skopeo", ["inspect", "--raw", image.reference]);
    expect(JSON.parse(passwd.stdout).layers).toHaveLength(1);
  });

  it("is reproducible and cached: the same digest from a fresh build, instantly from the cache", async () => {
    const first = await buildBaseImage("nginx", freshCache);
    expect(first.cached).toBe(false);
    const started = performance.now();
    const again = await buildBaseImage("nginx", freshCache);
    const cachedMs = performance.now() - started;
    expect(again).toEqual({ ...first, cached: true });
    expect(cachedMs).toBeLessThan(2_000);
    const elsewhere = await mkdtemp(join(tmpdir(), "localcloud-base-cache-"));
    try {
      const rebuilt = await buildBaseImage("nginx", elsewhere);
      expect(rebuilt.cached).toBe(false);
      expect(rebuilt.digest).toBe(first.digest);
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it("builds nginx with its config, modules, log links and an unprivileged user", async () => {
    const image = await buildBaseImage("nginx", freshCache);
    const files = await layerEntries(image.layoutDir, image.layerDigest);
    expect(files.get("usr/sbin/nginx")?.mode).toBe(0o755);
    expect(files.has("etc/nginx/mime.types")).toBe(true);
    expect(files.get("var/log/nginx/access.log")).toMatchObject({
      type: "symlink",
      linkname: "/dev/stdout",
    });
    expect(files.has("var/lib/nginx")).toBe(true);
    // The entrypoint, and what it needs: envsubst, and a conf.d the unprivileged user can write.
    expect(files.get("docker-entrypoint.sh")?.mode).toBe(0o755);
    expect(files.get("usr/bin/envsubst")?.mode).toBe(0o755);
    expect(files.get("etc/nginx/conf.d")).toMatchObject({ type: "directory", uid: 101 });
    expect(files.get("etc/nginx/conf.d/default.conf")).toMatchObject({ type: "file", uid: 101 });
    expect(files.get("etc/nginx/nginx.conf")).toMatchObject({ uid: 0, mode: 0o644 });
    const config = JSON.parse(
      await readFile(blobPath(image.layoutDir, image.configDigest), "utf8"),
    );
    expect(config.config).toMatchObject({
      Entrypoint: ["/docker-entrypoint.sh"],
      Cmd: ["nginx", "-g", "daemon off;"],
      StopSignal: "SIGQUIT",
      ExposedPorts: { "8080/tcp": {} },
      User: "101",
    });
  });

  it("builds python from this machine's python3: the interpreter, its standard library and a prompt for command", async () => {
    const image = await buildBaseImage("python", freshCache);
    const { stdout } = await run("/usr/bin/python3", [
      "-c",
      "import sys; print(sys.version.split()[0])",
    ]);
    expect(image.tag).toBe(stdout.trim());
    const files = await layerEntries(image.layoutDir, image.layerDigest);
    expect(files.has("usr/bin/python3")).toBe(true);
    expect(
      [...files.keys()].some((path) => /^usr\/lib\/python3\.\d+\/json\/__init__\.py$/.test(path)),
    ).toBe(true);
    expect(
      [...files.keys()].some(
        (path) => path.includes("__pycache__") || path.includes("site-packages"),
      ),
    ).toBe(false);
    const config = JSON.parse(
      await readFile(blobPath(image.layoutDir, image.configDigest), "utf8"),
    );
    expect(config.config).toMatchObject({
      Cmd: ["python3"],
      Env: expect.arrayContaining(["PYTHONDONTWRITEBYTECODE=1", "PYTHONUNBUFFERED=1"]),
    });
    // The image alone runs Python, extension modules (and the libraries they load) included.
    const root = await mkdtemp(join(tmpdir(), "localcloud-python-root-"));
    try {
      await run("tar", ["-xzf", blobPath(image.layoutDir, image.layerDigest), "-C", root]);
      const ran = await run("chroot", [
        root,
        "/usr/bin/python3",
        "-c",
        "import json, ssl, sqlite3, zlib, asyncio, hashlib; print(json.dumps({'ok': sqlite3.sqlite_version != ''}))",
      ]);
      expect(ran.stdout.trim()).toBe('{"ok": true}');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it("builds python-flask: the python image plus Debian's Flask and only what importing it loads", async () => {
    const image = await buildBaseImage("python-flask", freshCache);
    const { stdout } = await run("/usr/bin/python3", [
      "-c",
      "import sys, flask; print(sys.version.split()[0] + '-flask' + flask.__version__)",
    ]);
    expect(image.tag).toBe(stdout.trim());
    const files = [...(await layerEntries(image.layoutDir, image.layerDigest)).keys()];
    const packages = new Set(
      files
        .map((path) => /^usr\/lib\/python3\/dist-packages\/([^/]+)\//.exec(path)?.[1])
        .filter((name) => name !== undefined),
    );
    expect(packages).toContain("flask");
    expect(packages).toContain("werkzeug");
    expect(packages).toContain("jinja2");
    // Other packages of this machine's dist-packages stay out (yaml is one Debian installs).
    expect(packages).not.toContain("yaml");
    expect(files.some((path) => path.includes("__pycache__"))).toBe(false);
    const root = await mkdtemp(join(tmpdir(), "localcloud-python-flask-root-"));
    try {
      await run("tar", ["-xzf", blobPath(image.layoutDir, image.layerDigest), "-C", root]);
      const ran = await run("chroot", [
        root,
        "/usr/bin/python3",
        "-c",
        "from flask import Flask; app = Flask('t'); app.get('/health')(lambda: 'ok'); print(app.test_client().get('/health').status_code)",
      ]);
      expect(ran.stdout.trim()).toBe("200");
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it("rejects an unknown kind", async () => {
    await expect(buildBaseImage("ruby" as "node", freshCache)).rejects.toThrow(
      'unknown base image kind "ruby"',
    );
  });
});

describe("pushLayout", () => {
  it("pushes a layout into a registry and returns the digest that skopeo inspect reports", async () => {
    const image = await buildBaseImage("nginx", freshCache);
    const target = {
      registry: registry.host,
      repository: "base/nginx",
      tag: image.tag,
      username: registry.username,
      password: registry.password,
    };
    const pushed = await pushLayout(image.reference, target);
    expect(pushed.digest).toBe(image.digest);
    const inspected = await run("skopeo", [
      "inspect",
      "--tls-verify=false",
      `--creds=${registry.username}:${registry.password}`,
      `docker://${registry.host}/base/nginx:${image.tag}`,
    ]);
    expect(JSON.parse(inspected.stdout).Digest).toBe(image.digest);
  });

  it("fails with skopeo's reason when the credentials are wrong", async () => {
    const image = await buildBaseImage("nginx", freshCache);
    await expect(
      pushLayout(image.reference, {
        registry: registry.host,
        repository: "base/nginx",
        tag: "denied",
        username: registry.username,
        password: "wrong",
      }),
    ).rejects.toThrow(/unauthorized|authentication required/i);
  });
});
