import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buffer } from "node:stream/consumers";
import { gzipSync } from "node:zlib";
import * as tar from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/program";
import { ExitCode } from "../../src/lib/errors";
import { TerminalLogger } from "../../src/lib/logger";
import { sha256Digest } from "../../src/oci/digest";
import { writeAppFolder } from "../helpers/fixtures";
import { startRegistry, type TestRegistry } from "../helpers/localcloud";

/** A one-layer linux/amd64 image in an OCI layout, tagged `tag`. */
async function writeLayout(folder: string, tag: string): Promise<void> {
  const pack = tar.pack();
  pack.entry({ name: "etc/base-release", mtime: new Date(0), mode: 0o644 }, "base 1\n");
  pack.finalize();
  const layerTar = await buffer(pack);
  const layer = gzipSync(layerTar);
  const config = Buffer.from(
    JSON.stringify({
      architecture: "amd64",
      os: "linux",
      config: { Env: ["PATH=/usr/bin:/bin"] },
      rootfs: { type: "layers", diff_ids: [sha256Digest(layerTar)] },
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {
        mediaType: "application/vnd.oci.image.config.v1+json",
        digest: sha256Digest(config),
        size: config.length,
      },
      layers: [
        {
          mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
          digest: sha256Digest(layer),
          size: layer.length,
        },
      ],
    }),
  );
  const blobs = join(folder, "blobs/sha256");
  await mkdir(blobs, { recursive: true });
  for (const blob of [layer, config, manifest]) {
    await writeFile(join(blobs, sha256Digest(blob).slice("sha256:".length)), blob);
  }
  await writeFile(join(folder, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  await writeFile(
    join(folder, "index.json"),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          digest: sha256Digest(manifest),
          size: manifest.length,
          annotations: { "org.opencontainers.image.ref.name": tag },
          platform: { architecture: "amd64", os: "linux" },
        },
      ],
    }),
  );
}

let registry: TestRegistry;
const checkouts: string[] = [];

beforeAll(async () => {
  registry = await startRegistry();
  for (const name of ["first-", "second-"]) {
    const checkout = await mkdtemp(join(tmpdir(), name));
    await writeAppFolder(join(checkout, "app"));
    await writeLayout(join(checkout, "base-layout"), "v1");
    checkouts.push(checkout);
  }
});

afterAll(async () => {
  await registry?.stop();
  for (const checkout of checkouts) await rm(checkout, { recursive: true, force: true });
});

/** Plans the build of one checkout (a dry run computes the digest without pushing). */
async function plannedDigest(checkout: string): Promise<{ digest: string; output: string }> {
  const lines: string[] = [];
  const stream = {
    write: (chunk: string) => lines.push(chunk),
  } as unknown as NodeJS.WritableStream;
  const code = await runCli(
    [
      "build-image",
      "--registry",
      registry.host,
      "--registry-username",
      registry.username,
      "--repository",
      "layout/api",
      "--context",
      join(checkout, "app"),
      "--base-image",
      `oci:${join(checkout, "base-layout")}:v1`,
      "--source-date-epoch",
      "1700000000",
      "--tags",
      "t",
      "--dry-run",
    ],
    {
      env: { SHIPLINE_REGISTRY_PASSWORD: registry.password },
      logger: new TerminalLogger({ out: stream, err: stream }),
    },
  );
  const output = lines.join("");
  expect(code, output).toBe(ExitCode.Success);
  const digest = /image=\S+@(sha256:[a-f0-9]{64})/.exec(output)?.[1];
  expect(digest, output).toBeDefined();
  return { digest: digest as string, output };
}

describe("a base image from an OCI layout", () => {
  it("gives the same digest for the same inputs in two checkouts", async () => {
    const [first, second] = [
      await plannedDigest(checkouts[0] as string),
      await plannedDigest(checkouts[1] as string),
    ];
    expect(first.digest).toBe(second.digest);
    // The base is still named, by the layout folder's own name and tag.
    expect(first.output).toContain("base oci:base-layout:v1 pinned at sha256:");
  });
});
