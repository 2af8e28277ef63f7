import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { clientConfig, startTestCloud } from "./helpers/cloud";

const run = promisify(execFile);
let cloud: Awaited<ReturnType<typeof startTestCloud>>;

beforeAll(async () => {
  cloud = await startTestCloud();
});
afterAll(async () => {
  await cloud?.dispose();
});
beforeEach(() => {
  cloud.faults.clear();
});

describe("the API endpoint", () => {
  it("answers a SigV4-signed SDK call and logs it", async () => {
    const since = cloud.requestLog.lastSeq;
    const sts = new STSClient(clientConfig(cloud));
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe(cloud.accountId);
    expect(identity.UserId).toBe(cloud.credentials.accessKeyId);
    const [entry] = cloud.requestLog.list({ sinceSeq: since });
    expect(entry).toMatchObject({ service: "sts", operation: "GetCallerIdentity", status: 200 });
  });

  it("refuses a request signed with the wrong secret", async () => {
    const sts = new STSClient({
      ...clientConfig(cloud),
      credentials: { accessKeyId: cloud.credentials.accessKeyId, secretAccessKey: "wrong" },
    });
    await expect(sts.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: "SignatureDoesNotMatch",
      $metadata: { httpStatusCode: 403 },
    });
  });

  it("refuses an unknown access key", async () => {
    const sts = new STSClient({
      ...clientConfig(cloud),
      credentials: { accessKeyId: "AKIANOTKNOWN", secretAccessKey: "x" },
    });
    await expect(sts.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: "InvalidClientTokenId",
    });
  });

  it("refuses an unsigned request", async () => {
    const response = await fetch(`${cloud.endpoint}/?Action=GetCallerIdentity`);
    expect(response.status).toBe(403);
    expect(await response.text()).toContain("MissingAuthenticationToken");
  });
});

describe("fault injection", () => {
  it("returns the service's throttling error, which the SDK sees without retries", async () => {
    cloud.faults.add({ service: "sts", kind: "throttle", count: 1 });
    const sts = new STSClient({ ...clientConfig(cloud), maxAttempts: 1 });
    await expect(sts.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: "Throttling",
    });
  });

  it("is recovered from by the SDK's retry policy", async () => {
    const since = cloud.requestLog.lastSeq;
    cloud.faults.add({
      service: "sts",
      operation: "GetCallerIdentity",
      kind: "throttle",
      count: 2,
    });
    const sts = new STSClient({ ...clientConfig(cloud), maxAttempts: 3 });
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe(cloud.accountId);
    const calls = cloud.requestLog.list({ sinceSeq: since, service: "sts" });
    expect(calls.map((c) => c.status)).toEqual([400, 400, 200]);
    expect(calls.map((c) => c.fault)).toEqual(["throttle", "throttle", undefined]);
  });

  it("injects 5xx, latency and dropped connections through the control endpoint", async () => {
    const add = (rule: object) =>
      fetch(`${cloud.endpoint}/_localcloud/faults`, {
        method: "POST",
        body: JSON.stringify(rule),
      });
    expect((await add({ service: "sts", kind: "error", status: 503, count: 1 })).status).toBe(200);
    expect((await add({ service: "sts", kind: "bogus" })).status).toBe(400);
    const sts = new STSClient({ ...clientConfig(cloud), maxAttempts: 1 });
    await expect(sts.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 503 },
    });

    cloud.faults.add({ service: "sts", kind: "latency", latencyMs: 300, count: 1 });
    const started = performance.now();
    await sts.send(new GetCallerIdentityCommand({}));
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);

    cloud.faults.add({ service: "sts", kind: "reset", count: 1 });
    await expect(sts.send(new GetCallerIdentityCommand({}))).rejects.toThrow();
    await expect(sts.send(new GetCallerIdentityCommand({}))).resolves.toBeDefined();
  });

  it("applies a fraction of calls", () => {
    cloud.faults.add({ service: "x", kind: "throttle", fraction: 0.5 });
    let hits = 0;
    for (let i = 0; i < 1000; i++) hits += cloud.faults.decide("x", "Op").length;
    expect(hits).toBeGreaterThan(400);
    expect(hits).toBeLessThan(600);
  });
});

describe("independent clients", () => {
  it("the AWS CLI v2 gets the caller identity", async () => {
    const { stdout } = await run(
      "/usr/bin/aws",
      ["sts", "get-caller-identity", "--endpoint-url", cloud.endpoint, "--output", "json"],
      { env: { ...process.env, ...cloud.env(), AWS_CONFIG_FILE: "/dev/null" } },
    );
    expect(JSON.parse(stdout)).toMatchObject({ Account: cloud.accountId });
  });

  it("the request log is readable over the control endpoint", async () => {
    const since = cloud.requestLog.lastSeq;
    await new STSClient(clientConfig(cloud)).send(new GetCallerIdentityCommand({}));
    const response = await fetch(`${cloud.endpoint}/_localcloud/requests?since=${since}`);
    const entries = (await response.json()) as Array<{ operation: string }>;
    expect(entries.map((e) => e.operation)).toEqual(["GetCallerIdentity"]);
  });
});
