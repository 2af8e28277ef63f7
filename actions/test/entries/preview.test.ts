import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudFrontClient, GetDistributionCommand } from "@aws-sdk/client-cloudfront";
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { previewAction } from "../../src/entries/preview";
import { ExitCode } from "../../src/lib/errors";
import { PREVIEW_MARKER } from "../../src/preview/comments";
import { PREVIEW } from "../../src/preview/declaration";
import { actions, resetActions, undeclaredOutputs } from "../helpers/actions-core";

// GitHub as the action sees it: the event's pull request and a REST API holding comments.
const github = vi.hoisted(() => ({
  comments: [] as { id: number; body: string }[],
  created: 0,
  updated: 0,
  open: [12] as number[],
  tokens: [] as string[],
}));

vi.mock("@actions/core", async () => (await import("../helpers/actions-core")).actionsCore);
vi.mock(
  "../../src/lib/workflow-commands",
  async () => (await import("../helpers/actions-core")).workflowCommands,
);

vi.mock("@actions/github", () => {
  const rest = {
    issues: {
      listComments: async () => ({ data: github.comments }),
      createComment: async ({ body }: { body: string }) => {
        github.created++;
        github.comments.push({ id: github.comments.length + 1, body });
      },
      updateComment: async ({ comment_id, body }: { comment_id: number; body: string }) => {
        github.updated++;
        const comment = github.comments.find((item) => item.id === comment_id);
        if (comment) comment.body = body;
      },
    },
    pulls: { list: async () => ({ data: github.open.map((number) => ({ number })) }) },
  };
  return {
    context: { payload: { pull_request: { number: 12 } } },
    getOctokit: (token: string) => {
      github.tokens.push(token);
      return {
        rest,
        paginate: async (fn: (params: unknown) => Promise<{ data: unknown[] }>, params: unknown) =>
          (await fn(params)).data,
      };
    },
  };
});

const s3 = mockClient(S3Client);
const cloudfront = mockClient(CloudFrontClient);
let site: string;
let eventFile: string;

beforeAll(async () => {
  site = await mkdtemp(join(tmpdir(), "preview-entry-"));
  eventFile = join(await mkdtemp(join(tmpdir(), "preview-event-")), "event.json");
  await writeFile(
    eventFile,
    JSON.stringify({ action: "synchronize", pull_request: { number: 12 } }),
  );
  await mkdir(join(site, "assets"));
  await writeFile(
    join(site, "index.html"),
    '<script src="/previews/pr-12/assets/app-1.js"></script>',
  );
  await writeFile(join(site, "assets/app-1.js"), "console.log(1)");
  await writeFile(
    join(site, "asset-manifest.json"),
    JSON.stringify({
      basePath: "/previews/pr-12/",
      entryPoints: ["index.html"],
      immutable: ["assets/app-1.js"],
      releaseId: "pr12-1",
    }),
  );
});

beforeEach(() => {
  resetActions();
  github.comments = [{ id: 1, body: "a human's comment" }];
  github.created = 0;
  github.updated = 0;
  github.tokens = [];
  s3.reset();
  cloudfront.reset();
  s3.on(GetObjectCommand).rejects(Object.assign(new Error("no key"), { name: "NoSuchKey" }));
  s3.on(PutObjectCommand).resolves({});
  // An empty bucket.
  s3.on(ListObjectsV2Command).resolves({ IsTruncated: false, KeyCount: 0 });
  cloudfront.on(GetDistributionCommand).resolves({
    Distribution: {
      DomainName: "d1.cloudfront.net",
      DistributionConfig: {
        Origins: {
          Quantity: 1,
          Items: [{ Id: "web", DomainName: "www-example.s3.us-east-1.amazonaws.com" }],
        },
      },
    } as never,
  });
  vi.stubEnv("GITHUB_REPOSITORY", "acme/shop");
  // One workflow run: its re-runs publish the same release.
  vi.stubEnv("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567");
  vi.stubEnv("GITHUB_RUN_ID", "77");
  vi.stubEnv("GITHUB_RUN_ATTEMPT", "1");
  // The pull_request event's payload, as the runner writes it.
  vi.stubEnv("GITHUB_EVENT_PATH", eventFile);
});

// Every output the action sets is one its action.yml declares.
afterEach(() => {
  expect(undeclaredOutputs(PREVIEW)).toEqual([]);
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("the preview action", () => {
  it("publishes the event's pull request under previews/pr-12/ and keeps one comment with the URL", async () => {
    actions.inputs = {
      source: site,
      bucket: "www-example",
      "github-token": "ghs_token",
      invalidate: "false",
      "distribution-id": "E1TEST",
    };
    expect(await previewAction()).toBe(ExitCode.Success);
    expect(actions.failures).toEqual([]);
    expect(s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input.Key)).toEqual([
      "previews/pr-12/assets/app-1.js",
      // The release's record just before its entry points, as for any publish.
      ".shipline/web/sites/previews/pr-12/releases/pr-12-0123456789ab-77.1.json",
      "previews/pr-12/index.html",
      ".shipline/web/sites/previews/pr-12/manifest.json",
    ]);
    expect(actions.outputs.url).toBe("https://d1.cloudfront.net/previews/pr-12/index.html");
    expect(actions.outputs.comment).toBe("created");
    // The action's github-token, and only it, for the comment and for the preview's GitHub
    // deployment (the run's commit makes one since previews record deployments).
    expect(github.tokens.length).toBeGreaterThan(0);
    expect(new Set(github.tokens)).toEqual(new Set(["ghs_token"]));

    expect(await previewAction()).toBe(ExitCode.Success);
    expect(actions.outputs.comment).toBe("unchanged");
    actions.inputs["release-id"] = "pr12-2";
    expect(await previewAction()).toBe(ExitCode.Success);
    expect(actions.outputs.comment).toBe("updated");
    const marked = github.comments.filter((comment) => comment.body.includes(PREVIEW_MARKER));
    expect(marked).toHaveLength(1);
    expect(marked[0]?.body).toContain("https://d1.cloudfront.net/previews/pr-12/index.html");
    expect(marked[0]?.body).toContain("pr12-2");
    expect(github.comments[0]?.body).toBe("a human's comment");
    expect({ created: github.created, updated: github.updated }).toEqual({
      created: 1,
      updated: 1,
    });
  });

  it("sweep asks GitHub which pull requests are open and removes the others' previews", async () => {
    s3.on(ListObjectsV2Command, { Delimiter: "/" }).resolves({
      CommonPrefixes: [
        { Prefix: ".shipline/web/sites/previews/pr-11/" },
        { Prefix: ".shipline/web/sites/previews/pr-12/" },
      ],
    });
    s3.on(ListObjectsV2Command, { Prefix: ".shipline/web/sites/previews/pr-11/" }).resolves({
      Contents: [{ Key: ".shipline/web/sites/previews/pr-11/manifest.json" }],
    });
    s3.on(DeleteObjectsCommand).resolves({});
    actions.inputs = { command: "sweep", bucket: "www-example", "github-token": "ghs_token" };
    expect(await previewAction()).toBe(ExitCode.Success);
    expect(actions.failures).toEqual([]);
    expect(actions.outputs.removed).toBe("11");
    const deleted = s3
      .commandCalls(DeleteObjectsCommand)
      .flatMap((call) => call.args[0].input.Delete?.Objects?.map((o) => o.Key));
    expect(deleted).toEqual([".shipline/web/sites/previews/pr-11/manifest.json"]);
  });

  it("bad input: destroy without a pull request names the input and sends nothing", async () => {
    actions.inputs = { command: "destroy", bucket: "www-example", "pull-request": "x" };
    expect(await previewAction()).toBe(ExitCode.BadInput);
    expect(actions.failures[0]).toMatch(/input "pull-request"/);
    expect(s3.calls()).toEqual([]);
  });
});
