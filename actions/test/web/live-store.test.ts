import {
  CloudFrontKeyValueStoreClient,
  DescribeKeyValueStoreCommand,
  GetKeyCommand,
  PutKeyCommand,
} from "@aws-sdk/client-cloudfront-keyvaluestore";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { ExitCode } from "../../src/lib/errors";
import { LivePointerMovedError, switchLive } from "../../src/web/live-store";

const kvs = mockClient(CloudFrontKeyValueStoreClient);
const ARN = "arn:aws:cloudfront::123456789012:key-value-store/0f1e2d3c";
const conflict = Object.assign(new Error("the store changed"), { name: "ConflictException" });
const pointer = { release: "r2", assets: ["/assets/"] };

beforeEach(() => kvs.reset());

describe("the live pointer's one write", () => {
  it("is conditional on the store's ETag as read", async () => {
    kvs.on(PutKeyCommand).resolves({ ETag: "e2" });
    expect(
      await switchLive(new CloudFrontKeyValueStoreClient({}), { arn: ARN, etag: "e1" }, pointer),
    ).toBe("e2");
    const put = kvs.commandCalls(PutKeyCommand)[0]?.args[0].input;
    expect(put).toMatchObject({ KvsARN: ARN, Key: "shipline-live", IfMatch: "e1" });
    expect(JSON.parse(put?.Value ?? "")).toEqual(pointer);
  });

  it("fails with exit 1 when another writer moved the pointer in between", async () => {
    kvs.on(PutKeyCommand).rejects(conflict);
    kvs.on(DescribeKeyValueStoreCommand).resolves({ ETag: "e9" });
    kvs.on(GetKeyCommand).resolves({ Value: JSON.stringify({ release: "r7", assets: [] }) });
    const write = switchLive(
      new CloudFrontKeyValueStoreClient({}),
      { arn: ARN, etag: "e1" },
      pointer,
    );
    await expect(write).rejects.toBeInstanceOf(LivePointerMovedError);
    await expect(write).rejects.toMatchObject({ exitCode: ExitCode.FailedRolledBack });
  });

  it("counts a retried write whose first attempt went through as done", async () => {
    kvs.on(PutKeyCommand).rejects(conflict);
    kvs.on(DescribeKeyValueStoreCommand).resolves({ ETag: "e3" });
    kvs.on(GetKeyCommand).resolves({ Value: JSON.stringify(pointer) });
    expect(
      await switchLive(new CloudFrontKeyValueStoreClient({}), { arn: ARN, etag: "e1" }, pointer),
    ).toBe("e3");
  });
});
