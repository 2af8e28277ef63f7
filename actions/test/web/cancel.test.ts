import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudFrontClient } from "@aws-sdk/client-cloudfront";
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CancelledError } from "../../src/lib/cancel";
import { TerminalLogger } from "../../src/lib/logger";
import { parsePublishWebInputs } from "../../src/web/inputs";
import { publishWebRelease } from "../../src/web/publish-web";

/**
 * SIGINT/SIGTERM during a publish: it stops at its next safe point (before the next group of
 * files), so a publish cancelled while its assets go up never writes its entry points and the
 * site keeps serving the previous release's pages.
 */
const s3 = mockClient(S3Client);
const quiet = { write: () => true } as unknown as NodeJS.WritableStream;
let site = "";

beforeAll(async () => {
  site = await mkdtemp(join(tmpdir(), "publish-cancel-"));
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
  s3.reset();
  s3.on(GetObjectCommand).rejects(
    Object.assign(new Error("The specified key does not exist."), { name: "NoSuchKey" }),
  );
  s3.on(ListObjectsV2Command).resolves({ IsTruncated: false, KeyCount: 0 });
});

function publish(signal: AbortSignal) {
  return publishWebRelease(parsePublishWebInputs({ source: site, bucket: "www-example" }), {
    logger: new TerminalLogger({ out: quiet, err: quiet }),
    s3: new S3Client({ region: "us-east-1" }),
    cloudfront: () => new CloudFrontClient({ region: "us-east-1" }),
    signal,
  });
}

const putKeys = () => s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input.Key);

describe("a publish asked to stop", () => {
  it("stops after the group in flight, before its entry points, and says it was cancelled", async () => {
    const controller = new AbortController();
    // The signal arrives while the assets are being sent.
    s3.on(PutObjectCommand).callsFake(async () => {
      controller.abort(new CancelledError("SIGINT"));
      return {};
    });
    const error = await publish(controller.signal).catch((caught: Error) => caught);
    expect(error).toBeInstanceOf(CancelledError);
    expect(putKeys()).toEqual(["assets/app-1.js"]);
  });

  it("sends nothing when stopped before it began", async () => {
    const controller = new AbortController();
    controller.abort(new CancelledError("SIGTERM"));
    s3.on(PutObjectCommand).resolves({});
    await expect(publish(controller.signal)).rejects.toBeInstanceOf(CancelledError);
    expect(putKeys()).toEqual([]);
  });

  it("publishes everything when no stop comes", async () => {
    s3.on(PutObjectCommand).resolves({});
    await publish(new AbortController().signal);
    expect(putKeys()).toContain("index.html");
  });
});
