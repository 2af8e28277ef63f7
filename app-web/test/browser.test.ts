// The SPA in headless Chromium against the real API, served at the site root and under a preview
// prefix, as CloudFront serves it (site under its base path, /api/* at the root).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type StartedApi, startApi } from "@shipline/app-api";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildWeb } from "../scripts/build";
import { launchChromium } from "./support/chromium";
import { type SiteServer, serveSite } from "./support/site-server";

const API_RELEASE = "api-release-7";
const API_COMMIT = "0123456789abcdef0123456789abcdef01234567";
const PASSWORD = "correct horse battery";

let api: StartedApi;
let browser: Browser;
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), "app-web-browser-"));
  [api, browser] = await Promise.all([
    startApi({ env: { RELEASE_ID: API_RELEASE, GIT_COMMIT: API_COMMIT, LOG_LEVEL: "warn" } }),
    launchChromium(),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await api?.stop();
  await rm(tmp, { recursive: true, force: true });
});

describe.each([
  { basePath: "/", releaseId: "web-root-1" },
  { basePath: "/previews/pr-1/", releaseId: "web-pr-1" },
])("the SPA served under $basePath", ({ basePath, releaseId }) => {
  let site: SiteServer;

  beforeAll(async () => {
    const outDir = path.join(tmp, releaseId);
    await buildWeb({ outDir, basePath, releaseId });
    site = await serveSite({ siteDir: outDir, apiUrl: api.url });
  });
  afterAll(() => site?.stop());

  it("signs up, adds tasks, completes one, keeps them across reloads, deletes one", async () => {
    const context = await browser.newContext();
    // Well under the test's own timeout, so a missing element is reported by name.
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const problems = watchForProblems(page);
    const email = `ada+${releaseId}@example.com`;
    const release = task(page, "Write the release notes");
    const rollback = task(page, "Rehearse a rollback");
    try {
      await page.goto(`${site.url}${basePath}`);

      // The footer names both releases: this page's (from index.html) and the API's (/api/version).
      expect(await page.getByTestId("web-release").textContent()).toBe(releaseId);
      await page.getByTestId("api-release").waitFor();
      expect(await page.getByTestId("api-release").textContent()).toBe(API_RELEASE);
      expect(await page.getByTestId("api-commit").textContent()).toBe(API_COMMIT.slice(0, 7));

      // The API's own error message appears in the form and marks the field it names.
      await page.getByTestId("auth-tab-register").click();
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill("short");
      await page.getByTestId("auth-submit").click();
      await page
        .getByTestId("auth-error")
        .filter({ hasText: /password/i })
        .waitFor();
      expect(await page.getByLabel("Password").getAttribute("aria-invalid")).not.toBeNull();

      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByTestId("auth-submit").click();
      await page.getByTestId("user-email").filter({ hasText: email }).waitFor();
      expect(await page.getByTestId("task-summary").textContent()).toBe(
        "No tasks yet. Add one above.",
      );

      await addTask(page, "Write the release notes", "2030-01-15");
      await addTask(page, "Rehearse a rollback");
      expect(await release.root.getByTestId("task-due").textContent()).toBe("Due 2030-01-15");
      expect(await rollback.root.getByTestId("task-due").count()).toBe(0);

      await release.toggle().click();
      await release.withStatus("done").waitFor();
      expect(await page.getByTestId("task-summary").textContent()).toBe("1 of 2 done");
      if (process.env.APP_WEB_SCREENSHOT) {
        await page.screenshot({ path: process.env.APP_WEB_SCREENSHOT, fullPage: true });
      }

      // What the page shows after a reload comes from the API, not from the page's memory.
      await page.reload();
      await release.withStatus("done").waitFor();
      await rollback.withStatus("todo").waitFor();
      expect(await release.toggle().isChecked()).toBe(true);
      expect(await rollback.toggle().isChecked()).toBe(false);

      await page.getByRole("button", { name: "Delete “Write the release notes”" }).click();
      await release.root.waitFor({ state: "detached" });
      await page.reload();
      await rollback.root.waitFor();
      expect(await page.getByTestId("task").count()).toBe(1);
      expect(await release.root.count()).toBe(0);

      // Signing out ends the session for the API too; signing back in finds the same tasks.
      await page.getByTestId("sign-out").click();
      await page.getByTestId("auth-form").waitFor();
      await page.reload();
      await page.getByTestId("auth-form").waitFor();
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByTestId("auth-submit").click();
      await rollback.withStatus("todo").waitFor();

      expect(problems).toEqual([]);
      const sitePaths = site.requests.filter((p) => !p.startsWith("/api/"));
      expect(sitePaths.length).toBeGreaterThan(0);
      expect(sitePaths.filter((p) => !p.startsWith(basePath))).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe("the SPA when the API does not answer", () => {
  let site: SiteServer;

  beforeAll(async () => {
    const outDir = path.join(tmp, "no-api");
    await buildWeb({ outDir, releaseId: "web-no-api" });
    // Port 1 on loopback refuses connections: the proxy answers 502, as an edge does.
    site = await serveSite({ siteDir: outDir, apiUrl: "http://127.0.0.1:1" });
  });
  afterAll(() => site?.stop());

  it("says so in the sign-in form and in the footer", async () => {
    const context = await browser.newContext();
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    try {
      await page.goto(`${site.url}/`);
      await page.getByTestId("auth-error").filter({ hasText: "unavailable (HTTP 502)" }).waitFor();
      await page.getByTestId("api-version").filter({ hasText: "unavailable" }).waitFor();
      expect(await page.getByTestId("web-release").textContent()).toBe("web-no-api");
    } finally {
      await context.close();
    }
  });
});

function task(page: Page, title: string) {
  const root = page.getByTestId("task").filter({ hasText: title });
  return {
    root,
    toggle: () => root.getByTestId("task-toggle"),
    withStatus: (status: "todo" | "done") =>
      page.locator(`[data-testid="task"][data-status="${status}"]`).filter({ hasText: title }),
  };
}

async function addTask(page: Page, title: string, dueDate?: string): Promise<void> {
  await page.getByLabel("Title", { exact: true }).fill(title);
  if (dueDate) await page.getByLabel("Due date (optional)").fill(dueDate);
  await page.getByTestId("new-task-submit").click();
  await task(page, title).root.waitFor();
}

/** Script errors, and failed requests for the site's own files (the API may answer 4xx on purpose). */
function watchForProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("requestfailed", (request) => problems.push(`failed: ${request.url()}`));
  page.on("response", (response) => {
    const { pathname } = new URL(response.url());
    if (!pathname.startsWith("/api/") && response.status() >= 400) {
      problems.push(`${response.status()} ${pathname}`);
    }
  });
  return problems;
}
