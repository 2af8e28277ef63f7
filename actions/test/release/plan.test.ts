import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ConfigurationError } from "../../src/lib/errors";
import { parseDeployInputs } from "../../src/release/inputs";
import { planRelease } from "../../src/release/plan";

/** planRelease turns a deploy's inputs into each unit's typed inputs, once, before any change. */
let site = "";
const DIGEST = `sha256:${"b".repeat(64)}`;
const BASE = `registry.example/base/node@sha256:${"a".repeat(64)}`;
const env = { GITHUB_RUN_ID: "42", GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567" };

beforeAll(async () => {
  site = await mkdtemp(join(tmpdir(), "shipline-plan-"));
  await writeFile(join(site, "index.html"), "<p>hi</p>");
});

const inputs = (raw: Record<string, string> = {}) =>
  parseDeployInputs({
    environment: "production",
    bucket: "site",
    cluster: "web",
    service: "api",
    source: site,
    "distribution-id": "E2QWRUHAPOMQZL",
    ...raw,
  });

describe("planRelease", () => {
  it("gives deploy-service and publish-web their typed inputs, values as given", async () => {
    const plan = await planRelease(
      inputs({
        images: `nginx=registry.example/shipline/nginx@${DIGEST}`,
        containers: "api=shipline/api",
        "gate-interval": "2s",
        "gate-timeout": "3m",
        "grace-period": "45s",
        "healthy-polls": "4",
        "release-env": "api:RELEASE_ID",
        "container-env": "api:LOG_LEVEL=debug\napi:GREETING=hello, world",
        "migration-command": '["node", "migrate.mjs"]',
        "keep-releases": "5",
        "wait-invalidation": "true",
      }),
      { api: { cmd: "node server.mjs", "base-image": BASE } },
      env,
      0,
    );
    expect(plan.releaseId).toBe("0123456789ab-42.1");
    expect(plan.images.map((image) => [image.container, image.source])).toEqual([
      ["api", "build"],
      ["nginx", "given"],
    ]);
    expect(plan.service).toMatchObject({
      cluster: "web",
      service: "api",
      environment: {
        api: { RELEASE_ID: "0123456789ab-42.1", LOG_LEVEL: "debug", GREETING: "hello, world" },
      },
      migration: { command: ["node", "migrate.mjs"] },
      gate: { pollIntervalMs: 2_000, timeoutMs: 180_000, graceMs: 45_000, healthyPolls: 4 },
      rollbackTimeoutMs: 180_000,
      tags: { "shipline:release": "0123456789ab-42.1" },
    });
    expect(plan.web.inputs).toMatchObject({
      "distribution-id": ["E2QWRUHAPOMQZL"],
      "keep-releases": 5,
      wait: true,
      "wait-timeout": 180_000,
      "release-id": "0123456789ab-42.1",
    });
    expect(plan.web.site.files.map((file) => file.path)).toEqual(["index.html"]);
    expect(plan.ledger.lockTtlMs).toBe(30 * 60_000);
  });

  it("gives the web step the site's immutable, cache-control and content-type rules", async () => {
    const plan = await planRelease(
      inputs({
        images: `api=registry.example/shipline/api@${DIGEST}`,
        immutable: "static/**\nfonts/*.woff2",
        "cache-control": "*.json=public, max-age=60\n**/*.txt=no-store",
        "content-type": "**/*.webmanifest=application/manifest+json",
      }),
      {},
      env,
      0,
    );
    expect(plan.web.inputs).toMatchObject({
      immutable: ["static/**", "fonts/*.woff2"],
      "cache-control": [
        { pattern: "*.json", value: "public, max-age=60" },
        { pattern: "**/*.txt", value: "no-store" },
      ],
      "content-type": [{ pattern: "**/*.webmanifest", value: "application/manifest+json" }],
    });
  });

  it.each([
    [{ containers: "api=shipline/api" }, {}, /container "api": input "base-image" is required/],
    [{ images: `a b=registry.example/x@${DIGEST}` }, {}, /container name "a b" must be/],
    [{ images: "api=registry.example/x:latest" }, {}, /has no digest/],
    [{ "container-env": "web\nx:A=1", images: `api=r.example/x@${DIGEST}` }, {}, /KEY=VALUE lines/],
    [{}, {}, /nothing to deploy/],
  ])("refuses %j before anything changes", async (raw, builds, message) => {
    // Parsing and planning together: either may find the problem, both before any change.
    const plan = async () => planRelease(inputs(raw), builds, env, 0);
    await expect(plan()).rejects.toBeInstanceOf(ConfigurationError);
    await expect(plan()).rejects.toThrow(message);
  });
});

describe("planRelease with several services", () => {
  const file = async (name: string, containers: string[]) => {
    const path = join(site, name);
    await writeFile(
      path,
      JSON.stringify({
        family: name.replace(/\.json$/, ""),
        containerDefinitions: containers.map((container) => ({ name: container })),
      }),
    );
    return path;
  };
  const several = (services: string, images: string) => inputs({ service: "", services, images });

  it("plans each service with its own task definition file and the environment's cluster", async () => {
    const api = await file("api.json", ["api"]);
    const plan = await planRelease(
      several(
        `api=shop-api task-definition=${api}\nworker=shop-worker cluster=jobs`,
        `api=registry.example/shipline/api@${DIGEST}\nworker=registry.example/shipline/api@${DIGEST}`,
      ),
      {},
      env,
      0,
    );
    expect(
      plan.services.map((s) => [s.key, s.inputs.cluster, s.inputs.service, s.fileContainers]),
    ).toEqual([
      ["api", "web", "shop-api", ["api"]],
      ["worker", "jobs", "shop-worker", undefined],
    ]);
    expect(plan.service).toBe(plan.services[0]?.inputs);
  });

  it("refuses, without reading anything, a container no service's file has", async () => {
    const api = await file("api2.json", ["api"]);
    const worker = await file("worker2.json", ["worker"]);
    const plan = planRelease(
      several(
        `api=shop-api task-definition=${api}\nworker=shop-worker task-definition=${worker}`,
        `api=registry.example/x@${DIGEST}\nworker=registry.example/x@${DIGEST}\nnginx=registry.example/x@${DIGEST}`,
      ),
      {},
      env,
      0,
    );
    await expect(plan).rejects.toBeInstanceOf(ConfigurationError);
    await expect(plan).rejects.toThrow(/container "nginx" is in no service's task definition/);
  });

  it.each([
    ["api=a\napi=b", /names service "api" twice/],
    ["api=a\nweb=a", /"api" and "web" are both ECS service "web\/a"/],
  ])("refuses services %j", async (services, message) => {
    const plan = planRelease(several(services, `api=registry.example/x@${DIGEST}`), {}, env, 0);
    await expect(plan).rejects.toThrow(message);
  });

  it("refuses migration-command with several services", async () => {
    const plan = planRelease(
      inputs({
        service: "",
        services: "api=a\nworker=b",
        images: `api=registry.example/x@${DIGEST}`,
        "migration-command": "node migrate.mjs",
      }),
      {},
      env,
      0,
    );
    await expect(plan).rejects.toThrow(
      /"migration-command" runs with one service's task definition/,
    );
  });
});
