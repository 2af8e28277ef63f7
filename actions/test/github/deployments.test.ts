import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { runCli } from "../../src/cli/program";
import { githubDeploymentApi } from "../../src/github/deployments";
import {
  DeploymentTracker,
  deploymentTracker,
  previewEnvironment,
  trackRelease,
} from "../../src/github/track";
import { ExitCode } from "../../src/lib/errors";
import { TerminalLogger } from "../../src/lib/logger";
import { BAD_TOKEN, type FakeGitHub, startFakeGitHub } from "../workflows/fake-github";

/**
 * GitHub deployments against a loopback GitHub API: what a deploy, a failed deploy, a rollback
 * and a preview leave on the commit and the pull request, and that GitHub's trouble never fails
 * a deploy.
 */
let github: FakeGitHub;
const SHA = "0123456789abcdef0123456789abcdef01234567";
const RUN_URL = "https://github.example/acme/shop/actions/runs/4242";

const env = (token = "ghs_good-token"): NodeJS.ProcessEnv => ({
  GITHUB_TOKEN: token,
  GITHUB_REPOSITORY: "acme/shop",
  GITHUB_API_URL: github.url,
  GITHUB_SERVER_URL: "https://github.example",
  GITHUB_RUN_ID: "4242",
  GITHUB_SHA: SHA,
});

function capture() {
  const lines: string[] = [];
  const stream = {
    write: (chunk: string) => lines.push(chunk),
  } as unknown as NodeJS.WritableStream;
  return { lines, logger: new TerminalLogger({ out: stream, err: stream }) };
}

beforeAll(async () => {
  github = await startFakeGitHub();
});

afterAll(async () => {
  await github?.stop();
});

beforeEach(() => {
  github.deployments.length = 0;
});

describe("GitHub deployments", () => {
  it("a deploy: in_progress, then success with the site and the run", async () => {
    const { logger } = capture();
    const result = await trackRelease(
      "deploy",
      { environment: "production", url: "https://www.example.com" },
      env(),
      logger,
      async () => "release-1",
    );
    expect(result).toBe("release-1");
    expect(github.deployments).toHaveLength(1);
    expect(github.deployments[0]).toMatchObject({
      ref: SHA,
      environment: "production",
      description: "shipline deploy",
      production_environment: true,
      transient_environment: false,
      required_contexts: [],
      auto_merge: false,
    });
    expect(github.deployments[0]?.statuses).toEqual([
      { state: "in_progress", log_url: RUN_URL },
      { state: "success", environment_url: "https://www.example.com", log_url: RUN_URL },
    ]);
  });

  it("a failed deploy through the CLI: in_progress, then failure, and the deploy's own error", async () => {
    // An AWS that refuses every call: the plan passes (it sends nothing), the deploy then fails
    // at its first request, after its deployment began.
    const denied = createServer((_request, response) => {
      response.writeHead(403, { "content-type": "application/xml" });
      response.end(
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>',
      );
    });
    await new Promise<void>((resolve) => denied.listen(0, "127.0.0.1", resolve));
    const { port } = denied.address() as AddressInfo;
    const site = await mkdtemp(join(tmpdir(), "deployments-site-"));
    await writeFile(join(site, "index.html"), "<!doctype html><title>shop</title>");
    try {
      const { lines, logger } = capture();
      const aws = {
        AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
        AWS_REGION: "eu-west-1",
        AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
        AWS_SECRET_ACCESS_KEY: "secret",
      };
      for (const [name, value] of Object.entries(aws)) vi.stubEnv(name, value);
      const code = await runCli(
        [
          "deploy",
          "--config",
          "",
          "--environment",
          "production",
          "--cluster",
          "shop",
          "--service",
          "web",
          "--bucket",
          "shop-site",
          "--images",
          `api=registry.example/shop/api@sha256:${"a".repeat(64)}`,
          "--source",
          site,
        ],
        { env: { ...env(), ...aws }, logger },
      ).finally(() => vi.unstubAllEnvs());
      expect(code, lines.join("")).toBe(ExitCode.BadInput);
      expect(lines.join("")).toMatch(/was denied \(AccessDenied\)/);
      expect(github.deployments.map((d) => d.environment)).toEqual(["production"]);
      expect(github.deployments[0]?.statuses).toEqual([
        { state: "in_progress", log_url: RUN_URL },
        { state: "failure", log_url: RUN_URL },
      ]);
    } finally {
      await new Promise((resolve) => denied.close(resolve));
      await rm(site, { recursive: true, force: true });
    }
  });

  it("a deploy its plan refuses is no deployment: bad input changes nothing, on GitHub either", async () => {
    const site = await mkdtemp(join(tmpdir(), "deployments-site-"));
    await writeFile(join(site, "index.html"), "<!doctype html><title>shop</title>");
    try {
      const { lines, logger } = capture();
      const code = await runCli(
        [
          "deploy",
          "--config",
          "",
          "--environment",
          "production",
          "--cluster",
          "shop",
          "--service",
          "web",
          "--bucket",
          "shop-site",
          "--source",
          site,
        ],
        { env: { ...env(), AWS_REGION: "eu-west-1" }, logger },
      );
      expect(code, lines.join("")).toBe(ExitCode.BadInput);
      // The release plan refuses it (no images) before anything starts.
      expect(lines.join("")).toContain("nothing to deploy");
      expect(github.deployments).toEqual([]);
    } finally {
      await rm(site, { recursive: true, force: true });
    }
  });

  it("a rollback is a deployment of its environment too", async () => {
    const { logger } = capture();
    await trackRelease("rollback", { environment: "production" }, env(), logger, async () => 1);
    expect(github.deployments[0]?.description).toBe("shipline rollback");
    expect(github.deployments[0]?.statuses.map((s) => s.state)).toEqual(["in_progress", "success"]);
  });

  it("a preview: its own transient environment with its URL, inactive once the pull request closes", async () => {
    const { logger } = capture();
    const tracker = deploymentTracker({ ...env(), GITHUB_HEAD_REF: "feature/login" }, logger);
    if (!tracker) throw new Error("expected a tracker with a token and a repository");
    const url = "https://previews.example.net/previews/pr-7/index.html";
    await tracker.track(
      { environment: previewEnvironment(7), description: "preview of #7", preview: true },
      async () => ({ url }),
      (published) => published.url,
    );
    await tracker.deactivate(previewEnvironment(7));
    expect(github.deployments).toHaveLength(1);
    expect(github.deployments[0]).toMatchObject({
      ref: "feature/login",
      environment: "preview-pr-7",
      transient_environment: true,
      production_environment: false,
    });
    expect(github.deployments[0]?.statuses).toEqual([
      { state: "in_progress", log_url: RUN_URL },
      { state: "success", environment_url: url, log_url: RUN_URL },
      { state: "inactive", log_url: RUN_URL },
    ]);
  });

  it("a bad token never turns a successful deploy into a failure: a warning, and on", async () => {
    const { lines, logger } = capture();
    const result = await trackRelease(
      "deploy",
      { environment: "production" },
      env(BAD_TOKEN),
      logger,
      async () => "release-2",
    );
    expect(result).toBe("release-2");
    expect(github.deployments).toEqual([]);
    expect(lines.join("")).toMatch(/warning: GitHub deployments: could not create a deployment/);
    expect(lines.join("")).not.toContain(BAD_TOKEN);
  });

  it("an unreachable GitHub is a warning too, also when the deploy itself fails", async () => {
    const { lines, logger } = capture();
    const tracker = new DeploymentTracker(
      githubDeploymentApi("ghs_any", "acme/shop", "http://127.0.0.1:1"),
      logger,
      SHA,
      RUN_URL,
    );
    const failure = new Error("the gate failed");
    await expect(
      tracker.track(
        { environment: "production", description: "d", preview: false },
        () => Promise.reject(failure),
        () => undefined,
      ),
    ).rejects.toBe(failure);
    expect(lines.join("")).toContain("warning: GitHub deployments: could not create");
  });

  it("records nothing without a token", () => {
    const { logger } = capture();
    expect(deploymentTracker({ ...env(), GITHUB_TOKEN: "" }, logger)).toBeUndefined();
  });
});
