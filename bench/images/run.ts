/**
 * Images benchmark: shipline's `oci` builder against buildah (`buildah bud` + `buildah push`),
 * building the API image (app-api's bundle at /app on the node base) and pushing it to the same
 * registry (Debian's docker-registry on loopback, behind a proxy that counts what is sent).
 *
 *   npx tsx bench/images/run.ts
 *
 * Scenarios, each for both tools: the first build + push into an empty repository, the same
 * sources again under a new tag, and a one-line change of the bundle. shipline uses the `api`
 * image as workflows/shipline.yml describes it (PGlite's runtime assets in one layer, the code in another). buildah builds a Dockerfile
 * equivalent to app-api/Dockerfile's final stage (its build stage runs `npm ci`, which needs the
 * network; both tools start from the same prebuilt bundle instead).
 */
import { execFile } from "node:child_process";
import { appendFile, cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { sampleImageInputs } from "../../actions/scripts/sample-images";
import { buildImage } from "../../actions/src/images/build-image";
import { parseBuildImageInputs } from "../../actions/src/images/inputs";
import { uploadedBytes } from "../../actions/src/images/report";
import { formatTable, TerminalLogger } from "../../actions/src/lib/logger";
import { countPushRequests } from "../../actions/test/helpers/counting-proxy";
import {
  buildApiBundle,
  buildBaseImage,
  pushLayout,
  startRegistry,
} from "../../actions/test/helpers/localcloud";
import { startProxyThread } from "./proxy-thread";

const exec = promisify(execFile);

interface Measure {
  ms: number;
  bytes: number;
  blobUploads: number;
  baseLayerUploaded: boolean;
  /** shipline only: blob bytes uploaded, and what happened to each appended layer. */
  uploaded?: number;
  layers?: string;
}

const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(", ");
const loadAtStart = load();

const work = await mkdtemp(join(tmpdir(), "bench-images-"));
const registry = await startRegistry();
const proxy = await startProxyThread(registry.host);
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
  const baseRef = `${proxy.host}/base/node:${base.tag}`;
  const authFile = join(work, "auth.json");
  const auth = Buffer.from(`${registry.username}:${registry.password}`).toString("base64");
  await writeFile(authFile, JSON.stringify({ auths: { [proxy.host]: { auth } } }), { mode: 0o600 });

  const changed = join(work, "changed");
  await cp(bundle, changed, { recursive: true });
  await appendFile(join(changed, "server.mjs"), "// one more line\n");

  const sink = { write: () => true } as unknown as NodeJS.WritableStream;
  const logger = new TerminalLogger({ out: sink, err: sink });

  async function shipline(
    repository: string,
    context: string,
    tag: string,
    previous?: string,
  ): Promise<Measure> {
    await proxy.reset();
    const started = performance.now();
    const result = await buildImage(
      parseBuildImageInputs({
        ...(await sampleImageInputs("api")),
        registry: proxy.host,
        "registry-username": registry.username,
        "registry-password": registry.password,
        repository,
        context,
        "base-image": baseRef,
        tags: tag,
        ...(previous ? { "previous-tag": previous } : {}),
        revision: "0123456",
        "source-date-epoch": "1700000000",
      }),
      {
        logger,
        ecr: () => {
          throw new Error("not ECR");
        },
      },
    );
    const ms = performance.now() - started;
    const counts = countPushRequests(await proxy.requests());
    return {
      ms,
      bytes: counts.bytesSent,
      blobUploads: counts.blobPuts,
      baseLayerUploaded: result.blobs.some(
        (blob) => blob.role === "base layer" && blob.outcome === "uploaded",
      ),
      uploaded: uploadedBytes(result),
      layers: (result.layers ?? [])
        .map((layer, index) =>
          layer.reusedFrom
            ? `layer ${index + 1} reused`
            : `layer ${index + 1} compressed (${(layer.members ?? 0) - (layer.membersCopied ?? 0)}/${layer.members} gzip members)`,
        )
        .join(", "),
    };
  }

  // buildah: its own storage (vfs: works without overlay support), chroot isolation (no daemon).
  const buildahArgs = (round: number) => [
    "--root",
    join(work, `buildah-root-${round}`),
    "--runroot",
    join(work, `buildah-run-${round}`),
    "--storage-driver",
    "vfs",
  ];
  const dockerfile = join(work, "Dockerfile");
  await writeFile(
    dockerfile,
    [
      `FROM ${baseRef}`,
      "ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000",
      "WORKDIR /app",
      "COPY . /app/",
      "USER 1000",
      "EXPOSE 3000",
      'CMD ["node", "/app/server.mjs"]',
      "",
    ].join("\n"),
  );
  const buildahEnv = { ...process.env, BUILDAH_ISOLATION: "chroot" };
  async function buildah(
    round: number,
    context: string,
    tag: string,
  ): Promise<Measure & { buildMs: number; pushMs: number }> {
    await proxy.reset();
    const started = performance.now();
    await exec(
      "buildah",
      [
        ...buildahArgs(round),
        "bud",
        "--quiet",
        "--tls-verify=false",
        `--authfile=${authFile}`,
        "-f",
        dockerfile,
        "-t",
        `bench/buildah:${tag}`,
        context,
      ],
      { env: buildahEnv },
    );
    const built = performance.now();
    const pulled = countPushRequests(await proxy.requests()).bytesSent;
    await proxy.reset();
    await exec(
      "buildah",
      [
        ...buildahArgs(round),
        "push",
        "--quiet",
        "--tls-verify=false",
        `--authfile=${authFile}`,
        `bench/buildah:${tag}`,
        `docker://${proxy.host}/bench/buildah-${round}:${tag}`,
      ],
      { env: buildahEnv },
    );
    const ms = performance.now() - started;
    const requests = await proxy.requests();
    const counts = countPushRequests(requests);
    const bigUpload = requests.some(
      (request) => request.method === "PUT" && request.bytesSent > 30_000_000,
    );
    return {
      ms,
      buildMs: built - started,
      pushMs: ms - (built - started),
      bytes: counts.bytesSent + pulled,
      blobUploads: counts.blobPuts,
      baseLayerUploaded: bigUpload,
    };
  }

  type Theirs = Measure & { buildMs: number; pushMs: number };
  const scenarios = ["first build + push", "same sources, new tag", "one-line change"];
  const runs = scenarios.map(() => ({ ours: [] as Measure[], theirs: [] as Theirs[] }));
  // Each round starts cold (new repositories, new buildah storage); the median round is shown.
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  for (let round = 1; round <= rounds; round++) {
    const repository = `bench/shipline-${round}`;
    runs[0]?.ours.push(await shipline(repository, bundle, "v1"));
    runs[0]?.theirs.push(await buildah(round, bundle, "v1"));
    runs[1]?.ours.push(await shipline(repository, bundle, "v1-again", "v1"));
    runs[1]?.theirs.push(await buildah(round, bundle, "v1-again"));
    runs[2]?.ours.push(await shipline(repository, changed, "v2", "v1"));
    runs[2]?.theirs.push(await buildah(round, changed, "v2"));
  }
  const median = <T extends { ms: number }>(values: T[]): T => {
    const sorted = [...values].sort((a, b) => a.ms - b.ms);
    return sorted[Math.floor(sorted.length / 2)] as T;
  };
  const rows = scenarios.map((scenario, i) => ({
    scenario,
    ours: median(runs[i]?.ours ?? []),
    theirs: median(runs[i]?.theirs ?? []),
  }));

  const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
  const ms = (value: number) => `${value.toFixed(0)} ms`;
  console.log(
    `API image: ${bundle} (bundle) on ${base.reference}; registry ${registry.host} (docker-registry), same for both; median of ${rounds} cold rounds\n`,
  );
  console.log(
    formatTable(
      [
        "scenario",
        "shipline",
        "sent",
        "blobs",
        "buildah bud+push",
        "(bud / push)",
        "sent",
        "blobs",
        "time ratio",
        "base layer re-sent",
      ],
      rows.map(({ scenario, ours, theirs }) => [
        scenario,
        ms(ours.ms),
        mib(ours.bytes),
        String(ours.blobUploads),
        ms(theirs.ms),
        `${ms(theirs.buildMs)} / ${ms(theirs.pushMs)}`,
        mib(theirs.bytes),
        String(theirs.blobUploads),
        `${(theirs.ms / ours.ms).toFixed(1)}x`,
        `${ours.baseLayerUploaded ? "yes" : "no"} / ${theirs.baseLayerUploaded ? "yes" : "no"}`,
      ]),
    ),
  );
  const incremental = rows[2];
  if (incremental) {
    const ratio = incremental.theirs.ms / incremental.ours.ms;
    console.log(
      `\none-line change: shipline ${ratio >= 10 ? "meets" : "misses"} the 10x target (${ratio.toFixed(1)}x); base layer uploaded by shipline: ${incremental.ours.baseLayerUploaded ? "yes" : "no"}; blob bytes uploaded by shipline: ${incremental.ours.uploaded ?? 0} (${mib(incremental.ours.uploaded ?? 0)}) against ${mib(incremental.theirs.bytes)} sent by buildah; ${incremental.ours.layers}`,
    );
  }
  console.log(`load average (1, 5, 15 min): ${loadAtStart} at the start, ${load()} at the end`);
  console.log(
    "sent = request bodies through the counting proxy (what each tool uploaded); times include reading the bundle",
  );
} finally {
  await proxy.stop();
  await registry.stop();
  await rm(work, { recursive: true, force: true });
}
