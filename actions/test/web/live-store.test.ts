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
const before = { release: "r1", assets: ["/assets/"] };

beforeEach(() => kvs.reset());

describe("the live pointer's one write", () => {
  it("is conditional on the store's ETag as read", async () => {
    kvs.on(PutKeyCommand).resolves({ ETag: "e2" });
    expect(
      await switchLive(
        new CloudFrontKeyValueStoreClient({}),
        { arn: ARN, etag: "e1", pointer: before },
        pointer,
      ),
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
      { arn: ARN, etag: "e1", pointer: before },
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
      await switchLive(
        new CloudFrontKeyValueStoreClient({}),
        { arn: ARN, etag: "e1", pointer: before },
        pointer,
      ),
    ).toBe("e3");
  });

  it("tries again when only another key of the store moved (a preview going live at once)", async () => {
    kvs.on(PutKeyCommand).rejectsOnce(conflict).resolves({ ETag: "e5" });
    kvs.on(DescribeKeyValueStoreCommand).resolves({ ETag: "e4" });
    kvs.on(GetKeyCommand).resolves({ Value: JSON.stringify(before) });
    expect(
      await switchLive(
        new CloudFrontKeyValueStoreClient({}),
        { arn: ARN, etag: "e1", pointer: before },
        pointer,
      ),
    ).toBe("e5");
    const puts = kvs.commandCalls(PutKeyCommand).map((call) => call.args[0].input.IfMatch);
    expect(puts).toEqual(["e1", "e4"]);
  });

  it("tries again from a key that did not exist yet, and gives up when the store never settles", async () => {
    kvs.on(PutKeyCommand).rejects(conflict);
    kvs.on(DescribeKeyValueStoreCommand).resolves({ ETag: "e4" });
    kvs
      .on(GetKeyCommand)
      .rejects(Object.assign(new Error("no such key"), { name: "ResourceNotFoundException" }));
    const write = switchLive(
      new CloudFrontKeyValueStoreClient({}),
      { arn: ARN, etag: "e1", pointer: undefined },
      pointer,
      "shipline-host:pr-7.preview.example.com",
    );
    await expect(write).rejects.toBeInstanceOf(LivePointerMovedError);
    expect(kvs.commandCalls(PutKeyCommand)).toHaveLength(5);
  });
});
