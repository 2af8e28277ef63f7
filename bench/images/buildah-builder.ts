/**
 * The `buildah` builder's times: a Dockerfile (FROM the node base, COPY of app-api's bundle, CMD)
 * built by buildah and pushed by shipline to a registry on loopback (Debian's docker-registry).
 *
 *   npx tsx bench/images/buildah-builder.ts
 *
 * Scenarios: the first build + push into an empty repository (empty buildah storage), the same
 * sources under a new tag (layer cache), a one-line change of the bundle, and the same sources
 * from an empty storage (a fresh CI machine: buildah rebuilds, the registry has everything), each
 * with previous-tag v1 as CI would pass it; last, the same sources without previous-tag (each
 * layer is gzipped to learn its digest before the registry says it has it).
 */
import { appendFile, cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { buildImage } from "../../actions/src/images/build-image";
import { parseBuildImageInputs } from "../../actions/src/images/inputs";
import { uploadedBytes } from "../../actions/src/images/report";
import { formatTable, TerminalLogger } from "../../actions/src/lib/logger";
import {
  buildApiBundle,
  buildBaseImage,
  pushLayout,
  startRegistry,
} from "../../actions/test/helpers/localcloud";

const work = await mkdtemp(join(tmpdir(), "bench-buildah-"));
const registry = await startRegistry();
try {
  const [base, bundle] = await Promise.all([
    buildBaseImage("node"),
    buildApiBundle(join(work, "dist")),
  ]);
  await pushLayout(base.reference, {
    registry: registry.host,
    repository: "base/node",
    tag: base.tag,
    username: registry.username,
    password: registry.password,
  });
  const changed = join(work, "changed");
  await cp(bundle, changed, { recursive: true });
  await appendFile(join(changed, "server.mjs"), "// one more line\n");
  const dockerfile = join(work, "Dockerfile");
  await writeFile(
    dockerfile,
    [
      `FROM ${registry.host}/base/node:${base.tag}`,
      "ENV NODE_ENV=production",
      "WORKDIR /app",
      "COPY . /app/",
      'CMD ["node", "/app/server.mjs"]',
      "",
    ].join("\n"),
  );
  // Only the builder's own timing line (build, layout, push) is kept.
  const timings: string[] = [];
  const sink = {
    write: (chunk: string) => {
      const line = String(chunk).trim();
      if (line.startsWith("buildah: build")) timings.push(line);
      return true;
    },
  } as unknown as NodeJS.WritableStream;
  const logger = new TerminalLogger({ out: sink, err: sink });

  async function push(context: string, tag: string, cacheDir: string, previous?: string) {
    const started = performance.now();
    const result = await buildImage(
      parseBuildImageInputs({
        builder: "buildah",
        registry: registry.host,
        "registry-username": registry.username,
        "registry-password": registry.password,
        repository: "bench/buildah",
        context,
        dockerfile,
        tags: tag,
        ...(previous ? { "previous-tag": previous } : {}),
        "cache-dir": cacheDir,
        "source-date-epoch": "1700000000",
      }),
      {
        logger,
        ecr: () => {
          throw new Error("not ECR");
        },
      },
    );
    return { ms: performance.now() - started, result };
  }

  const load = loadavg()
    .map((value) => value.toFixed(2))
    .join(", ");
  const storage = join(work, "storage");
  const runs = [
    ["first build + push", await push(bundle, "v1", storage)],
    ["same sources, new tag", await push(bundle, "v1-again", storage, "v1")],
    ["one-line change", await push(changed, "v2", storage, "v1")],
    ["same sources, empty storage", await push(bundle, "v1-fresh", join(work, "fresh"), "v1")],
    ["same, no previous-tag", await push(bundle, "v1-no-previous", storage)],
  ] as const;
  console.log(
    formatTable(
      ["scenario", "total", "steps", "blobs uploaded", "sent", "digest"],
      runs.map(([scenario, { ms, result }], index) => [
        scenario,
        `${ms.toFixed(0)} ms`,
        (timings[index] ?? "").replace("buildah: ", ""),
        String(result.blobs.filter((blob) => blob.outcome === "uploaded").length),
        `${(uploadedBytes(result) / 1024 / 1024).toFixed(2)} MiB`,
        result.digest.slice(7, 19),
      ]),
    ),
  );
  console.log(
    `storage driver ${process.env.STORAGE_DRIVER || "vfs"}; load average at the start ${load}`,
  );
} finally {
  await registry.stop();
  await rm(work, { recursive: true, force: true });
}
