import { describe, expect, it } from "vitest";
import { describeJson, epochToRfc3339, updateConfig } from "../../src/oci/config";
import { buildManifest } from "../../src/oci/manifest";
import { MediaType } from "../../src/oci/media-types";
import type { ImageConfig } from "../../src/oci/types";

const base: ImageConfig = {
  architecture: "amd64",
  os: "linux",
  created: "2024-01-01T00:00:00Z",
  config: {
    Env: ["PATH=/usr/bin", "NODE_VERSION=20"],
    Entrypoint: ["docker-entrypoint.sh"],
    Cmd: ["node"],
    ExposedPorts: { "80/tcp": {} },
    Labels: { maintainer: "someone" },
    StopSignal: "SIGQUIT",
  },
  rootfs: { type: "layers", diff_ids: ["sha256:base"] },
  history: [{ created_by: "base" }],
  unknownField: { kept: true },
};

describe("updateConfig", () => {
  it("appends the diff_ids and history entries, applies settings, passes the rest through", () => {
    const created = epochToRfc3339(1_700_000_000);
    const config = updateConfig(base, {
      layers: [
        { diffId: "sha256:assets", createdBy: "shipline: assets" },
        { diffId: "sha256:new", createdBy: "shipline: COPY dist /app" },
      ],
      created,
      cmd: ["node", "/app/server.mjs"],
      env: { NODE_ENV: "production", PATH: "/app/bin:/usr/bin" },
      workdir: "/app",
      user: "1000",
      exposedPorts: ["3000", "53/udp"],
      labels: { "org.opencontainers.image.revision": "abc" },
    });
    expect(created).toBe("2023-11-14T22:13:20Z");
    expect(config.rootfs.diff_ids).toEqual(["sha256:base", "sha256:assets", "sha256:new"]);
    expect(config.history).toEqual([
      { created_by: "base" },
      { created, created_by: "shipline: assets" },
      { created, created_by: "shipline: COPY dist /app" },
    ]);
    expect(config.created).toBe(created);
    expect(config.config).toEqual({
      Env: ["PATH=/app/bin:/usr/bin", "NODE_VERSION=20", "NODE_ENV=production"],
      Entrypoint: ["docker-entrypoint.sh"],
      Cmd: ["node", "/app/server.mjs"],
      ExposedPorts: { "80/tcp": {}, "3000/tcp": {}, "53/udp": {} },
      Labels: { maintainer: "someone", "org.opencontainers.image.revision": "abc" },
      StopSignal: "SIGQUIT",
      WorkingDir: "/app",
      User: "1000",
    });
    expect(config.unknownField).toEqual({ kept: true });
    expect(base.rootfs.diff_ids).toEqual(["sha256:base"]);
  });

  it("drops the base's command when only the entrypoint changes, as a Dockerfile does", () => {
    const config = updateConfig(base, {
      layers: [{ diffId: "sha256:new", createdBy: "x" }],
      created: "1970-01-01T00:00:00Z",
      entrypoint: ["/app/run"],
    });
    expect(config.config?.Entrypoint).toEqual(["/app/run"]);
    expect(config.config?.Cmd).toBeNull();
  });

  it("serialises deterministically", () => {
    const changes = {
      layers: [{ diffId: "sha256:n", createdBy: "x" }],
      created: "1970-01-01T00:00:00Z",
    };
    expect(describeJson(updateConfig(base, changes)).digest).toBe(
      describeJson(updateConfig(base, changes)).digest,
    );
  });
});

describe("buildManifest", () => {
  const config = { mediaType: MediaType.ociConfig, digest: "sha256:c", size: 1 };
  const layers = [{ mediaType: MediaType.ociLayerGzip, digest: "sha256:l", size: 2 }];
  const annotations = { "org.opencontainers.image.base.name": "node:20" };

  it("adds base annotations to an OCI manifest", () => {
    const manifest = buildManifest({
      mediaType: MediaType.ociManifest,
      config,
      layers,
      annotations,
    });
    expect(JSON.parse(manifest.bytes.toString())).toEqual({
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config,
      layers,
      annotations,
    });
  });

  it("leaves annotations out of a Docker schema 2 manifest", () => {
    const manifest = buildManifest({
      mediaType: MediaType.dockerManifest,
      config,
      layers,
      annotations,
    });
    expect(JSON.parse(manifest.bytes.toString()).annotations).toBeUndefined();
  });
});
