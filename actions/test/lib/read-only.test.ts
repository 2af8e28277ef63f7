import {
  CreateFunctionCommand,
  PublishFunctionCommand,
  UpdateDistributionCommand,
} from "@aws-sdk/client-cloudfront";
import { PutKeyCommand } from "@aws-sdk/client-cloudfront-keyvaluestore";
import { ECSClient, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { createClient } from "../../src/lib/aws";
import { readOnly } from "../../src/lib/read-only";
import { createCloudFrontClient, createKeyValueStoreClient } from "../../src/web/clients";

// Nothing listens on port 9 of loopback: a request that gets past the guard fails to connect.
const nowhere = {
  endpoint: "http://127.0.0.1:9",
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
  maxAttempts: 1,
};

describe("read-only clients of a dry run", () => {
  it("refuse a write before sending it, and let reads through", async () => {
    const s3 = readOnly(new S3Client({ ...nowhere, forcePathStyle: true }));
    await expect(
      s3.send(new PutObjectCommand({ Bucket: "b", Key: "k", Body: "x" })),
    ).rejects.toThrow(/dry run tried to call PutObject/);
    const read = s3.send(new GetObjectCommand({ Bucket: "b", Key: "k" }));
    await expect(read).rejects.toThrow();
    await expect(read).rejects.not.toThrow(/dry run/);
  });

  it("apply to every client shipline creates with readOnly", async () => {
    const ecs = createClient(ECSClient, { readOnly: true, maxAttempts: 1 });
    await expect(
      ecs.send(new UpdateServiceCommand({ cluster: "c", service: "s" })),
    ).rejects.toThrow(/dry run tried to call UpdateService/);
    const real = createClient(ECSClient, { region: "us-east-1", maxAttempts: 1 });
    expect(real.middlewareStack.identify().join(" ")).not.toMatch(/shiplineDryRunReadOnly/);
    const guarded = createClient(ECSClient, { region: "us-east-1", readOnly: true });
    expect(guarded.middlewareStack.identify().join(" ")).toMatch(/shiplineDryRunReadOnly/);
  });

  it("cover the key value store and the release router's CloudFront writes", async () => {
    const kvs = createKeyValueStoreClient({ region: "us-east-1", readOnly: true, maxAttempts: 1 });
    await expect(
      kvs.send(
        new PutKeyCommand({
          KvsARN: "arn:aws:cloudfront::123456789012:key-value-store/0f1e2d3c",
          Key: "shipline-live",
          Value: "{}",
          IfMatch: "x",
        }),
      ),
    ).rejects.toThrow(/dry run tried to call PutKey/);
    const cloudfront = createCloudFrontClient({ region: "us-east-1", readOnly: true });
    for (const command of [
      new CreateFunctionCommand({
        Name: "f",
        FunctionConfig: { Comment: "", Runtime: "cloudfront-js-2.0" },
        FunctionCode: new Uint8Array(),
      }),
      new PublishFunctionCommand({ Name: "f", IfMatch: "x" }),
      new UpdateDistributionCommand({ Id: "E1", IfMatch: "x", DistributionConfig: undefined }),
    ]) {
      await expect(cloudfront.send(command as never)).rejects.toThrow(/dry run tried to call/);
    }
    const real = createKeyValueStoreClient({ region: "us-east-1" });
    expect(real.middlewareStack.identify().join(" ")).not.toMatch(/shiplineDryRunReadOnly/);
  });
});
