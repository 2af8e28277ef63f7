import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleImageFlags } from "../../scripts/sample-images";
import { runCli } from "../../src/cli/program";
import { ExitCode } from "../../src/lib/errors";
import { TerminalLogger } from "../../src/lib/logger";
import { actionMain } from "../helpers/action-bundle";
import { REPO_ROOT, writeAppFolder } from "../helpers/fixtures";
import {
  type BaseImage,
  buildBaseImage,
  startRegistry,
  type TestRegistry,
} from "../helpers/localcloud";

const exec = promisify(execFile);
let registry: TestRegistry;
let base: BaseImage;
let work: string;
let app: string;

beforeAll(async () => {
  [registry, base] = await Promise.all([startRegistry(), buildBaseImage("node")]);
  work = await mkdtemp(join(tmpdir(), "cli-"));
  app = join(work, "app");
  await writeAppFolder(app);
});

afterAll(async () => {
  await registry?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

function capture() {
  const lines: string[] = [];
  const stream = {
    write: (chunk: string) => lines.push(chunk),
  } as unknown as NodeJS.WritableStream;
  return { lines, logger: new TerminalLogger({ out: stream, err: stream }) };
}

describe("shipline CLI", () => {
  it("build-image maps flags onto the action's inputs; the password comes from the environment", async () => {
    const { lines, logger } = capture();
    const code = await runCli(
      [
        "build-image",
        "--registry",
        registry.host,
        "--registry-username",
        registry.username,
        "--repository",
        "cli/api",
        "--context",
        app,
        "--base-image",
        base.reference,
        "--tags",
        "one",
        "--tags",
        "two",
        "--env",
        "A=1",
        "--env",
        "B=2,3",
        "--cmd",
        '["node", "/app/server.mjs"]',
      ],
      { env: { SHIPLINE_REGISTRY_PASSWORD: registry.password }, logger },
    );
    const text = lines.join("");
    expect(code).toBe(ExitCode.Success);
    expect(text).toMatch(new RegExp(`image=${registry.host}/cli/api@sha256:[a-f0-9]{64}`));
    expect(text).toContain("tags=one,two");
    expect(text).toMatch(/base layer\s+\S+\s+[\d.]+ MiB\s+uploaded/);
    expect(text).not.toContain(registry.password);
  });

  it("the sample nginx image (its settings as flags) puts the proxy's config template at /etc/nginx/templates on the nginx base", async () => {
    const nginxBase = await buildBaseImage("nginx");
    const { lines, logger } = capture();
    const code = await runCli(
      [
        "build-image",
        ...(await sampleImageFlags("nginx")),
        "--context",
        join(REPO_ROOT, "nginx/templates"),
        "--registry",
        registry.host,
        "--registry-username",
        registry.username,
        "--repository",
        "cli/nginx",
        "--base-image",
        nginxBase.reference,
        "--tags",
        "t",
      ],
      { env: { SHIPLINE_REGISTRY_PASSWORD: registry.password }, logger },
    );
    expect(code, lines.join("")).toBe(ExitCode.Success);
    const authFile = join(work, "nginx-auth.json");
    const auth = Buffer.from(`${registry.username}:${registry.password}`).toString("base64");
    await writeFile(authFile, JSON.stringify({ auths: { [registry.host]: { auth } } }));
    const layout = join(work, "nginx-layout");
    await exec("skopeo", [
      "copy",
      "--quiet",
      "--src-tls-verify=false",
      `--src-authfile=${authFile}`,
      `docker://${registry.host}/cli/nginx:t`,
      `oci:${layout}:t`,
    ]);
    const { stdout } = await exec("skopeo", ["inspect", "--config", `oci:${layout}:t`]);
    const config = JSON.parse(stdout);
    expect(config.config.User).toBe("101");
    expect(config.config.ExposedPorts).toHaveProperty("8080/tcp");
    const bundle = join(work, "nginx-bundle");
    await exec("umoci", ["unpack", "--image", `${layout}:t`, bundle]);
    const template = await readFile(
      join(bundle, "rootfs/etc/nginx/templates/default.conf.template"),
      "utf8",
    );
    expect(template).toBe(
      await readFile(join(REPO_ROOT, "nginx/templates/default.conf.template"), "utf8"),
    );
  });

  it("a dry run plans without pushing, and unknown flags are bad input", async () => {
    const { lines, logger } = capture();
    const args = [
      "build-image",
      "--registry",
      registry.host,
      "--registry-username",
      registry.username,
      "--repository",
      "cli/dry",
      "--context",
      app,
      "--base-image",
      base.reference,
      "--tags",
      "t",
    ];
    expect(
      await runCli([...args, "--dry-run"], {
        env: { SHIPLINE_REGISTRY_PASSWORD: registry.password },
        logger,
      }),
    ).toBe(ExitCode.Success);
    expect(lines.join("")).toContain("would upload");
    expect(await runCli([...args, "--bogus"], { env: {}, logger })).toBe(ExitCode.BadInput);
    expect(lines.join("")).toContain("unknown option '--bogus'");
    process.exitCode = undefined;
  });

  it("the committed bundles run: CLI and GitHub Action", async () => {
    const cli = await exec(
      process.execPath,
      [
        join(REPO_ROOT, "actions/dist/shipline.mjs"),
        "build-image",
        "--registry",
        registry.host,
        "--registry-username",
        registry.username,
        "--repository",
        "bundle/cli",
        "--context",
        app,
        "--base-image",
        base.reference,
        "--tags",
        "t",
      ],
      { env: { PATH: process.env.PATH, SHIPLINE_REGISTRY_PASSWORD: registry.password } },
    );
    const cliDigest = /digest=(sha256:[a-f0-9]{64})/.exec(cli.stdout)?.[1];
    expect(cliDigest).toBeDefined();

    const outputFile = join(work, "github-output");
    const summaryFile = join(work, "github-summary");
    await writeFile(outputFile, "");
    await writeFile(summaryFile, "");
    const action = exec(process.execPath, [await actionMain("build-image")], {
      env: {
        PATH: process.env.PATH,
        GITHUB_OUTPUT: outputFile,
        GITHUB_STEP_SUMMARY: summaryFile,
        INPUT_REGISTRY: registry.host,
        "INPUT_REGISTRY-USERNAME": registry.username,
        "INPUT_REGISTRY-PASSWORD": registry.password,
        INPUT_REPOSITORY: "bundle/action",
        INPUT_CONTEXT: app,
        "INPUT_BASE-IMAGE": base.reference,
        INPUT_TAGS: "t",
      },
    }).catch((error: { stdout?: string }) => {
      throw new Error(`the action failed:\n${error.stdout}`);
    });
    await action;
    const outputs = await readFile(outputFile, "utf8");
    // Same sources, same settings: the action and the CLI build the same image.
    expect(outputs).toContain(cliDigest);
    expect(outputs).toContain(`${registry.host}/bundle/action@${cliDigest}`);
    const summary = await readFile(summaryFile, "utf8");
    expect(summary).toContain("<table>");
    expect(summary).toContain("uploaded");
  });
});
