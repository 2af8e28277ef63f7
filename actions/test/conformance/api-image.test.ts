import { execFile } from "node:child_process";
import { appendFile, cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleImageFlags } from "../../scripts/sample-images";
import { runCli } from "../../src/cli/program";
import { TerminalLogger } from "../../src/lib/logger";
import {
  type CountingProxy,
  countPushRequests,
  startCountingProxy,
} from "../helpers/counting-proxy";
import {
  type BaseImage,
  buildApiBundle,
  buildBaseImage,
  startRegistry,
  type TestRegistry,
} from "../helpers/localcloud";
import { freePort, type RunningImage, runImage, waitForHttp } from "../helpers/run-image";

const exec = promisify(execFile);
let registry: TestRegistry;
let proxy: CountingProxy;
let base: BaseImage;
let work: string;
let bundle: string;
let authFile: string;
let container: RunningImage | undefined;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "api-image-"));
  [registry, base, bundle] = await Promise.all([
    startRegistry(),
    buildBaseImage("node"),
    buildApiBundle(join(work, "dist")),
  ]);
  proxy = await startCountingProxy(registry.host);
  authFile = join(work, "auth.json");
  const auth = Buffer.from(`${registry.username}:${registry.password}`).toString("base64");
  await writeFile(
    authFile,
    JSON.stringify({ auths: { [registry.host]: { auth }, [proxy.host]: { auth } } }),
    { mode: 0o600 },
  );
});

afterAll(async () => {
  await container?.stop();
  await proxy?.stop();
  await registry?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

async function pushApi(
  context: string,
  tag: string,
  previous?: string,
): Promise<{ digest: string; text: string }> {
  const lines: string[] = [];
  const stream = {
    write: (chunk: string) => lines.push(chunk),
  } as unknown as NodeJS.WritableStream;
  proxy.reset();
  const code = await runCli(
    [
      "build-image",
      ...(await sampleImageFlags("api")),
      "--registry",
      proxy.host,
      "--registry-username",
      registry.username,
      "--repository",
      "shipline/api",
      "--context",
      context,
      "--base-image",
      base.reference,
      "--tags",
      tag,
      ...(previous ? ["--previous-tag", previous] : []),
      "--revision",
      "0123456",
      "--source-date-epoch",
      "1700000000",
    ],
    {
      env: { SHIPLINE_REGISTRY_PASSWORD: registry.password },
      logger: new TerminalLogger({ out: stream, err: stream }),
    },
  );
  const text = lines.join("");
  expect(code, text).toBe(0);
  const digest = /digest=(sha256:[a-f0-9]{64})/.exec(text)?.[1] ?? "";
  return { digest, text };
}

async function rawManifest(tag: string): Promise<{ layers: { digest: string; size: number }[] }> {
  const { stdout } = await exec("skopeo", [
    "inspect",
    "--tls-verify=false",
    `--authfile=${authFile}`,
    "--raw",
    `docker://${registry.host}/shipline/api:${tag}`,
  ]);
  return JSON.parse(stdout);
}

describe("the API image (the sample's api: app-api's bundle at /app on the node base)", () => {
  it("pushes; skopeo agrees; an unchanged rebuild sends nothing; a one-line change sends the code layer + config", async () => {
    const first = await pushApi(bundle, "v1");
    const { stdout } = await exec("skopeo", [
      "inspect",
      "--tls-verify=false",
      `--authfile=${authFile}`,
      "--format",
      "{{.Digest}}",
      `docker://${registry.host}/shipline/api:v1`,
    ]);
    expect(stdout.trim()).toBe(first.digest);

    const again = await pushApi(bundle, "v1b", "v1");
    expect(again.digest).toBe(first.digest);
    expect(countPushRequests(proxy.requests)).toMatchObject({
      uploadsStarted: 0,
      blobPuts: 0,
      manifestPuts: 1,
    });

    const changed = join(work, "changed");
    await cp(bundle, changed, { recursive: true });
    await appendFile(join(changed, "server.mjs"), "// one more line\n");
    const next = await pushApi(changed, "v2", "v1");
    expect(next.digest).not.toBe(first.digest);
    // Only the code layer and the config: PGlite's assets layer is reused as is.
    expect(countPushRequests(proxy.requests)).toMatchObject({
      uploadsStarted: 2,
      blobPuts: 2,
      manifestPuts: 1,
      mounts: 0,
    });
    const [before, after] = await Promise.all([rawManifest("v1"), rawManifest("v2")]);
    expect(after.layers).toHaveLength(before.layers.length);
    expect(after.layers.at(-2)).toEqual(before.layers.at(-2));
    expect(after.layers.at(-1)?.digest).not.toBe(before.layers.at(-1)?.digest);
    const uploaded = proxy.requests
      .filter((request) => request.method === "PUT" && request.path.includes("/blobs/uploads/"))
      .reduce((total, request) => total + request.bytesSent, 0);
    expect(uploaded).toBeLessThan(before.layers.at(-2)?.size ?? 0);
  });

  it.skipIf(process.getuid?.() !== 0)(
    "runs from the registry (umoci + runc) and answers /healthz",
    async () => {
      const port = await freePort();
      container = await runImage({
        image: `${registry.host}/shipline/api:v1`,
        authFile,
        work,
        name: `shipline-api-test-${process.pid}`,
        env: [`PORT=${port}`, "HOST=127.0.0.1"],
      });
      const body = await waitForHttp(`http://127.0.0.1:${port}/healthz`, 60_000).catch(
        (error: Error) => {
          throw new Error(`${error.message}\ncontainer output:\n${container?.logs()}`);
        },
      );
      expect(JSON.parse(body)).toEqual({ status: "ok" });
    },
    120_000,
  );
});
