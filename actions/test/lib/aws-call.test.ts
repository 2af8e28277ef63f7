import { S3Client } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import {
  failedCallOf,
  recordFailedCalls,
  resourceOf,
  withFailedCall,
} from "../../src/lib/aws-call";

describe("resourceOf", () => {
  it.each([
    ["s3", { Bucket: "site", Key: "a/b.js" }, "arn:aws:s3:::site/a/b.js"],
    ["s3", { Bucket: "site", Prefix: "x/" }, "arn:aws:s3:::site"],
    [
      "s3",
      { Bucket: "site", Delete: { Objects: [{ Key: "old.js" }] } },
      "arn:aws:s3:::site/old.js",
    ],
    [
      "ecs",
      { cluster: "prod", service: "arn:aws:ecs:eu-west-1:1:service/prod/api" },
      "arn:aws:ecs:eu-west-1:1:service/prod/api",
    ],
    ["ecs", { cluster: "prod", service: "api" }, 'service "api", cluster "prod"'],
    ["ecr", { repositoryName: "shipline/api" }, 'repository "shipline/api"'],
    ["cloudfront", { DistributionId: "E1", Id: "I2" }, 'distribution "E1"'],
    ["sts", {}, undefined],
  ])("%s %j → %s", (service, input, expected) => {
    expect(resourceOf(service, input)).toBe(expected);
  });
});

describe("recordFailedCalls", () => {
  it("wrapping a client twice adds its middleware once", () => {
    const client = new S3Client({ region: "eu-west-1" });
    expect(recordFailedCalls(recordFailedCalls(client))).toBe(client);
    const names = client.middlewareStack.identify().filter((entry) => entry.includes("shipline"));
    expect(names).toHaveLength(1);
  });

  it("leaves a frozen error as it is instead of failing on it", () => {
    const frozen = Object.freeze(new Error("frozen"));
    expect(withFailedCall(frozen, { service: "s3", operation: "PutObject" })).toBe(frozen);
    expect(failedCallOf(frozen)).toBeUndefined();
  });
});
