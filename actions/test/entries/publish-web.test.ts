import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CloudFrontClient,
  CreateInvalidationCommand,
  GetDistributionCommand,
} from "@aws-sdk/client-cloudfront";
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { publishWebAction } from "../../src/entries/publish-web";
import { ExitCode } from "../../src/lib/errors";
import { PUBLISH_WEB } from "../../src/web/publish-declaration";
import { actions, resetActions, undeclaredOutputs } from "../helpers/actions-core";

vi.mock("@actions/core", async () => (await import("../helpers/actions-core")).actionsCore);
vi.mock(
  "../../src/lib/workflow-commands",
  async () => (await import("../helpers/actions-core")).workflowCommands,
);

const s3 = mockClient(S3Client);
const cloudfront = mockClient(CloudFrontClient);
let site: string;

beforeAll(async () => {
  site = await mkdtemp(join(tmpdir(), "publish-entry-"));
  await mkdir(join(site, "assets"));
  await writeFile(join(site, "index.html"), '<script src="/assets/app-1.js"></script>');
  await writeFile(join(site, "assets/app-1.js"), "console.log(1)");
  await writeFile(
    join(site, "asset-manifest.json"),
    JSON.stringify({
      basePath: "/",
      entryPoints: ["index.html"],
      immutable: ["assets/app-1.js"],
      releaseId: "web-1",
    }),
  );
});

beforeEach(() => {
  vi.stubEnv("GITHUB_STEP_SUMMARY", "/dev/null");
  resetActions();
  s3.reset();
  cloudfront.reset();
  s3.on(GetObjectCommand).rejects(
    Object.assign(new Error("The specified key does not exist."), { name: "NoSuchKey" }),
  );
  s3.on(PutObjectCommand).resolves({});
  // An empty bucket.
  s3.on(ListObjectsV2Command).resolves({ IsTruncated: false, KeyCount: 0 });
  cloudfront.on(GetDistributionCommand).resolves({
    Distribution: {
      Id: "E1TEST",
      DomainName: "d111.cloudfront.net",
      DistributionConfig: {
        Origins: {
          Quantity: 1,
          Items: [{ Id: "web", DomainName: "www-example.s3.us-east-1.amazonaws.com" }],
        },
      },
    } as never,
  });
  cloudfront.on(CreateInvalidationCommand).resolves({
    Invalidation: {
      Id: "I2ABC",
      Status: "InProgress",
      CreateTime: new Date(),
      InvalidationBatch: undefined,
    } as never,
  });
});

// Every output the action sets is one its action.yml declares.
afterEach(() => {
  expect(undeclaredOutputs(PUBLISH_WEB)).toEqual([]);
});

afterEach(() => {
  vi.unstubAllEnvs();
});

const putKeys = () => s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input.Key);

describe("the publish-web action", () => {
  it("publishes assets, then the release's record and its entry point, then the manifest; invalidates the entry point; sets every output", async () => {
    actions.inputs = { source: site, bucket: "www-example", "distribution-id": "E1TEST" };
    expect(await publishWebAction()).toBe(ExitCode.Success);
    expect(actions.failures).toEqual([]);
    // The release's record goes up just before its entry points, so a run that dies once they
    // are served leaves a release the next run recognises as the one the site serves.
    expect(putKeys()).toEqual([
      "assets/app-1.js",
      ".shipline/web/root/releases/web-1.json",
      "index.html",
      ".shipline/web/root/manifest.json",
    ]);
    const asset = s3.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(asset).toMatchObject({
      CacheControl: "public, max-age=31536000, immutable",
      ContentType: "text/javascript; charset=utf-8",
    });
    const page = s3
      .commandCalls(PutObjectCommand)
      .find((call) => call.args[0].input.Key === "index.html");
    expect(page?.args[0].input.CacheControl).toBe("no-cache");
    expect(
      cloudfront.commandCalls(CreateInvalidationCommand)[0]?.args[0].input.InvalidationBatch?.Paths
        ?.Items,
    ).toEqual(["/", "/index.html"]);
    expect(actions.outputs).toEqual({
      "release-id": "web-1",
      uploaded: "2",
      "uploaded-bytes": String(14 + 40),
      copied: "0",
      skipped: "0",
      "skipped-bytes": "0",
      deleted: "0",
      "deleted-bytes": "0",
      "invalidation-id": "I2ABC",
      "invalidation-paths": "/,/index.html",
      url: "https://d111.cloudfront.net/",
    });
    expect(actions.summaries).toHaveLength(2);
  });

  it("dry-run: reads, plans and reports; writes nothing", async () => {
    actions.inputs = {
      source: site,
      bucket: "www-example",
      "distribution-id": "E1TEST",
      "dry-run": "true",
    };
    expect(await publishWebAction()).toBe(ExitCode.Success);
    expect(putKeys()).toEqual([]);
    expect(cloudfront.commandCalls(CreateInvalidationCommand)).toEqual([]);
    expect(actions.outputs.uploaded).toBe("2");
    expect(actions.outputs["invalidation-paths"]).toBe("/,/index.html");
  });

  it.each([
    { name: "no bucket", inputs: { source: "SITE" }, message: /input "bucket" is required/ },
    {
      name: "a bad bucket name",
      inputs: { source: "SITE", bucket: "Not_A_Bucket" },
      message: /input "bucket" "Not_A_Bucket"/,
    },
    {
      name: "a bad keep-releases",
      inputs: { source: "SITE", bucket: "b-1", "keep-releases": "many" },
      message: /input "keep-releases"/,
    },
    {
      name: "a missing folder",
      inputs: { source: "/no/such/folder", bucket: "b-1" },
      message: /input "source" "\/no\/such\/folder" does not exist/,
    },
  ])(
    "bad input ($name): exit code for bad input, one failure naming the input, nothing sent",
    async ({ inputs, message }) => {
      actions.inputs = Object.fromEntries(
        Object.entries(inputs).map(([k, v]) => [k, v === "SITE" ? site : v]),
      );
      expect(await publishWebAction()).toBe(ExitCode.BadInput);
      expect(actions.failures).toHaveLength(1);
      expect(actions.failures[0]).toMatch(message);
      expect(s3.calls()).toEqual([]);
    },
  );

  it("an unknown distribution is bad input, found before anything is uploaded", async () => {
    cloudfront.on(GetDistributionCommand).rejects(
      Object.assign(new Error("The specified distribution does not exist."), {
        name: "NoSuchDistribution",
      }),
    );
    actions.inputs = { source: site, bucket: "www-example", "distribution-id": "E9MISSING" };
    expect(await publishWebAction()).toBe(ExitCode.BadInput);
    expect(actions.failures[0]).toMatch(/"E9MISSING": no such CloudFront distribution/);
    expect(putKeys()).toEqual([]);
  });
});
