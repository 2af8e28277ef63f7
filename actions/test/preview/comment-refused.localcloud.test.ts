import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { githubHost, githubRest } from "../../src/preview/comments";
import { parsePreviewInputs } from "../../src/preview/inputs";
import { runPreview } from "../../src/preview/preview";
import {
  bucketState,
  cloudFrontOf,
  createBucket,
  createDistribution,
  s3Of,
  startWebCloud,
  tempDir,
  type WebCloud,
  write,
} from "../web/cloud";
import { memoryLogger } from "../web/publish-helpers";

let cloud: WebCloud;
let github: Server;
let githubUrl: string;
let source: string;
let distribution: string;
const bucket = "preview-comment-site";
const githubCalls: string[] = [];

beforeAll(async () => {
  // GitHub as it answers a revoked or mistyped token.
  github = createServer((request, response) => {
    githubCalls.push(`${request.method} ${request.url}`);
    response.writeHead(401, { "content-type": "application/json" });
    response.end(JSON.stringify({ message: "Bad credentials", status: "401" }));
  });
  await new Promise<void>((resolve) => github.listen(0, "127.0.0.1", resolve));
  githubUrl = `http://127.0.0.1:${(github.address() as AddressInfo).port}`;
  [cloud, source] = await Promise.all([startWebCloud(), tempDir("preview-comment")]);
  await write(join(source, "index.html"), "<!doctype html><title>preview</title>");
  await createBucket(cloud, bucket);
  distribution = await createDistribution(cloud, bucket);
});

afterAll(async () => {
  await new Promise((resolve) => github?.close(resolve));
  await cloud?.dispose();
});

describe("a preview whose pull request comment GitHub refuses", () => {
  it("is still published, and the refusal is a warning, not a failure", async () => {
    const { logger, lines } = memoryLogger();
    const result = await runPreview(
      parsePreviewInputs(
        {
          command: "publish",
          "pull-request": "12",
          "release-id": "pr12-a",
          bucket,
          "distribution-id": distribution,
          source,
        },
        "c0ffee-1",
      ),
      {
        logger,
        s3: s3Of(cloud, { maxAttempts: 5 }),
        cloudfront: () => cloudFrontOf(cloud, { maxAttempts: 5 }),
        host: githubHost(githubRest("ghp_revoked", "example/app", githubUrl)),
        invalidationTimings: { backoffMs: 50, pollMs: 50 },
      },
    );
    expect(githubCalls.length).toBeGreaterThan(0);
    expect(result.command === "publish" && result.comment).toBe("failed");
    expect(lines).toContain("comment=failed");
    const warning = lines.find((line) => line.includes("commenting on pull request #12 failed"));
    expect(warning).toContain("Bad credentials");
    expect(Object.keys(await bucketState(cloud, bucket))).toContain("previews/pr-12/index.html");
  });
});
