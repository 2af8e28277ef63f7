import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { githubDeploymentApi } from "../../src/github/deployments";
import { DeploymentTracker } from "../../src/github/track";
import type { RawInputs } from "../../src/lib/inputs";
import type { PullRequestHost } from "../../src/preview/comments";
import { parsePreviewInputs } from "../../src/preview/inputs";
import { runPreview } from "../../src/preview/preview";
import { REPO_ROOT } from "../helpers/fixtures";
import { iamActionsOf, policyActions } from "../release/iam";
import {
  bucketState,
  buildSite,
  cloudFrontOf,
  createBucket,
  createDistribution,
  edgeUrl,
  loadPage,
  s3Of,
  startWebCloud,
  tempDir,
  type WebCloud,
} from "../web/cloud";
import { memoryLogger, publish } from "../web/publish-helpers";
import { type FakeGitHub, startFakeGitHub } from "../workflows/fake-github";

/** The part of playwright-core's Browser used here (launched by app-web's Chromium helper). */
interface Browser {
  newPage(): Promise<{
    goto(url: string): Promise<unknown>;
    on(event: "response", fn: (response: { url(): string; status(): number }) => void): void;
    getByTestId(id: string): { textContent(): Promise<string | null>; waitFor(): Promise<void> };
    close(): Promise<void>;
  }>;
  close(): Promise<void>;
}

let cloud: WebCloud;
let browser: Browser;
let tmp: string;
let distribution: string;
let edge: string;
const bucket = "preview-site";
const comments: { pr: number; body: string }[] = [];
/** A loopback GitHub API that records the previews' deployments. */
let github: FakeGitHub;
const RUN_URL = "https://github.example/acme/shop/actions/runs/77";
const statesOf = (environment: string) =>
  github.deployments
    .filter((deployment) => deployment.environment === environment)
    .map((deployment) => deployment.statuses.map((status) => status.state).join(" → "));

/** A code host that keeps one comment per pull request, as GitHub would show it. */
const host: PullRequestHost = {
  async upsertComment(pr, body) {
    const existing = comments.find((comment) => comment.pr === pr);
    if (existing) {
      existing.body = body;
      return "updated";
    }
    comments.push({ pr, body });
    return "created";
  },
  openPullRequests: async () => [9],
};

/** Each call is its own CI run, as each push to a pull request is. */
let runs = 0;
const preview = async (raw: RawInputs) => {
  const { logger, lines } = memoryLogger();
  runs += 1;
  const result = await runPreview(
    parsePreviewInputs({ bucket, "distribution-id": distribution, ...raw }, `c0ffee-${runs}`),
    {
      logger,
      s3: s3Of(cloud, { maxAttempts: 5 }),
      cloudfront: () => cloudFrontOf(cloud, { maxAttempts: 5 }),
      host,
      deployments: new DeploymentTracker(
        githubDeploymentApi("ghs_preview-test", "acme/shop", github.url),
        logger,
        "feature/preview",
        RUN_URL,
      ),
      invalidationTimings: { backoffMs: 50, pollMs: 50 },
    },
  );
  return { result, lines };
};

/** Where the preview role may write and list (actions/iam/preview.json). */
const PREVIEW_PREFIXES = ["previews/", ".shipline/web/sites/previews/"];

/**
 * The calls since `since` are what the preview role allows: its actions, objects under the
 * previews' prefixes only, and CloudFront calls for the distribution the previews use. (Calls on
 * the bucket itself, listings and batch deletes, name their keys in the query or the body, which
 * the request log does not keep; the policy limits listings with an s3:prefix condition.)
 */
async function expectPreviewRoleSuffices(since: number): Promise<void> {
  const allowed = await policyActions("preview");
  const refused: string[] = [];
  for (const call of cloud.requestLog.list({ sinceSeq: since })) {
    if (call.service !== "s3" && call.service !== "cloudfront") continue;
    const what = `${call.service} ${call.operation} ${call.path}`;
    if (iamActionsOf(call.service, call.operation).some((action) => !allowed.has(action))) {
      refused.push(`${what}: action`);
    }
    const url = new URL(call.path, "http://localhost");
    if (call.service === "cloudfront") {
      if (!new RegExp(`/distribution/${distribution}(/|$)`).test(url.pathname)) {
        refused.push(`${what}: resource`);
      }
      continue;
    }
    const key = decodeURIComponent(url.pathname.replace(`/${bucket}`, "").replace(/^\//, ""));
    if (key && !PREVIEW_PREFIXES.some((prefix) => key.startsWith(prefix))) {
      refused.push(`${what}: outside the previews`);
    }
  }
  expect(refused).toEqual([]);
}

const buildPreview = (pr: number, releaseId: string) =>
  buildSite(join(tmp, `pr-${pr}-${releaseId}`), { basePath: `/previews/pr-${pr}/`, releaseId });

beforeAll(async () => {
  const chromium = (await import(
    /* @vite-ignore */ join(REPO_ROOT, "app-web/test/support/chromium.ts")
  )) as { launchChromium(): Promise<Browser> };
  github = await startFakeGitHub();
  [cloud, browser, tmp] = await Promise.all([
    startWebCloud(),
    chromium.launchChromium(),
    tempDir("preview"),
  ]);
  await createBucket(cloud, bucket);
  distribution = await createDistribution(cloud, bucket);
  edge = edgeUrl(cloud, distribution);
  const root = await buildSite(join(tmp, "root"), { releaseId: "root-1" });
  await publish(cloud, { source: root.dir, bucket, "distribution-id": distribution });
});
afterAll(async () => {
  await browser?.close();
  await cloud?.dispose();
  await github?.stop();
});

describe("previews on localcloud", () => {
  it("publishes under previews/pr-<n>/, works in Chromium at its URL, comments once, and destroy removes it", async () => {
    const rootBefore = await bucketState(cloud, bucket);
    const since = cloud.requestLog.lastSeq;
    const first = await preview({
      command: "publish",
      "pull-request": "7",
      source: (await buildPreview(7, "pr7-a")).dir,
    });
    if (first.result.command !== "publish") throw new Error("expected a publish");
    const url = first.result.publish.url ?? "";
    expect(url).toBe(`${edge}/previews/pr-7/index.html`);
    expect(first.lines).toContain(`url=${url}`);
    expect(first.result.comment).toBe("created");

    const page = await browser.newPage();
    const failed: string[] = [];
    const assets: string[] = [];
    page.on("response", (response) => {
      const path = new URL(response.url()).pathname;
      if (path.startsWith("/api/")) return;
      if (response.status() >= 400) failed.push(`${response.status()} ${path}`);
      if (path.includes("/assets/")) assets.push(path);
    });
    await page.goto(url);
    await page.getByTestId("web-release").waitFor();
    expect(await page.getByTestId("web-release").textContent()).toBe("pr7-a");
    expect(failed).toEqual([]);
    expect(assets.length).toBeGreaterThanOrEqual(2);
    expect(assets.every((path) => path.startsWith("/previews/pr-7/assets/"))).toBe(true);
    await page.close();

    // A later push updates the one comment.
    const second = await preview({
      command: "publish",
      "pull-request": "7",
      source: (await buildPreview(7, "pr7-b")).dir,
    });
    expect(second.result.command === "publish" && second.result.comment).toBe("updated");
    expect(comments.filter((comment) => comment.pr === 7)).toHaveLength(1);
    expect(comments[0]?.body).toContain(url);

    // The root site is untouched by the preview.
    expect((await loadPage(edge)).html).toContain('content="root-1"');

    const destroyed = await preview({ command: "destroy", "pull-request": "7", wait: "true" });
    expect(destroyed.result.command === "destroy" && destroyed.result.destroyed.deleted).toBe(3);
    const after = await bucketState(cloud, bucket);
    expect(Object.keys(after).filter((key) => key.includes("pr-7"))).toEqual([]);
    expect(after).toEqual(rootBefore);
    // The wildcard invalidation has completed (wait): the edge no longer serves the preview.
    expect((await (await fetch(url)).text()).includes("pr7-")).toBe(false);
    await expectPreviewRoleSuffices(since);
    // Each push was a GitHub deployment of the preview's environment, live at its URL; once the
    // preview is gone, all of them are inactive.
    expect(statesOf("preview-pr-7")).toEqual([
      "in_progress → success → inactive",
      "in_progress → success → inactive",
    ]);
    const published = github.deployments.find((d) => d.environment === "preview-pr-7");
    expect(published).toMatchObject({ ref: "feature/preview", transient_environment: true });
    expect(published?.statuses[1]).toEqual({
      state: "success",
      environment_url: url,
      log_url: RUN_URL,
    });
  });

  it("sweep removes the previews of pull requests that are no longer open", async () => {
    const since = cloud.requestLog.lastSeq;
    for (const pr of [8, 9]) {
      await preview({
        command: "publish",
        "pull-request": String(pr),
        source: (await buildPreview(pr, `pr${pr}`)).dir,
      });
    }
    const swept = await preview({ command: "sweep" });
    expect(swept.result.command === "sweep" && swept.result.kept).toEqual([9]);
    expect(swept.lines).toContain("removed=8");
    const keys = Object.keys(await bucketState(cloud, bucket));
    expect(keys.some((key) => key.startsWith("previews/pr-8/"))).toBe(false);
    expect(keys.some((key) => key.startsWith("previews/pr-9/"))).toBe(true);
    expect(statesOf("preview-pr-8")).toEqual(["in_progress → success → inactive"]);
    expect(statesOf("preview-pr-9")).toEqual(["in_progress → success"]);
    await expectPreviewRoleSuffices(since);
  });

  it("refuses a preview built for another base path, before writing anything", async () => {
    const since = cloud.requestLog.lastSeq;
    const wrong = await buildSite(join(tmp, "wrong-base"), { releaseId: "wrong" });
    await expect(
      preview({ command: "publish", "pull-request": "10", source: wrong.dir }),
    ).rejects.toThrow(/build it with --base \/previews\/pr-10\//);
    // A failed preview: its deployment says so.
    expect(statesOf("preview-pr-10")).toEqual(["in_progress → failure"]);
    expect(
      cloud.requestLog.list({ sinceSeq: since, service: "s3" }).filter((e) => e.method !== "GET"),
    ).toEqual([]);
  });
});
