import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ECSClient, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { recordFailedCalls } from "../../src/lib/aws-call";
import { ExitCode } from "../../src/lib/errors";
import { TerminalLogger } from "../../src/lib/logger";
import { run } from "../../src/lib/run";

/** The next answer of the stand-in: AWS's error bodies, as each protocol writes them. */
let answer: { status: number; type: string; body: string } = { status: 500, type: "", body: "" };
let server: Server;
let endpoint: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      response.writeHead(answer.status, {
        "content-type": answer.type,
        ...(answer.type.includes("json")
          ? { "x-amzn-errortype": JSON.parse(answer.body).__type }
          : {}),
      });
      response.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

afterEach(() => {
  process.exitCode = undefined;
});

const settings = () => ({
  endpoint,
  region: "eu-west-1",
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
  maxAttempts: 1,
});

const s3 = () => recordFailedCalls(new S3Client({ ...settings(), forcePathStyle: true }));
const ecs = () => recordFailedCalls(new ECSClient(settings()));

const s3Error = (status: number, code: string, message: string) => ({
  status,
  type: "application/xml",
  body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><RequestId>1</RequestId></Error>`,
});

const jsonError = (code: string, message: string) => ({
  status: 400,
  type: "application/x-amz-json-1.1",
  body: JSON.stringify({ __type: code, message }),
});

/** Runs `call` as a command would and returns its exit code and failure message. */
async function outcome(call: () => Promise<unknown>): Promise<{ code: ExitCode; text: string }> {
  const lines: string[] = [];
  const stream = {
    write: (chunk: string) => lines.push(chunk),
  } as unknown as NodeJS.WritableStream;
  const code = await run(
    async () => {
      await call();
    },
    new TerminalLogger({ out: stream, err: stream }),
  );
  return { code, text: lines.join("") };
}

describe("errors of the user's world are bad input (exit 4) that says what to do", () => {
  it("S3 AccessDenied names the operation, the object's ARN and the IAM action to grant", async () => {
    answer = s3Error(403, "AccessDenied", "Access Denied");
    const { code, text } = await outcome(() =>
      s3().send(new PutObjectCommand({ Bucket: "site", Key: "assets/main.js", Body: "x" })),
    );
    expect(code).toBe(ExitCode.BadInput);
    expect(text).toContain("s3 PutObject was denied (AccessDenied)");
    expect(text).toContain("grant s3:PutObject on arn:aws:s3:::site/assets/main.js");
    expect(text).not.toContain("unexpected error");
  });

  it("a listing that is denied needs s3:ListBucket on the bucket", async () => {
    answer = s3Error(403, "AccessDenied", "Access Denied");
    const { code, text } = await outcome(() =>
      s3().send(new ListObjectsV2Command({ Bucket: "site", Prefix: ".shipline/" })),
    );
    expect(code).toBe(ExitCode.BadInput);
    expect(text).toContain("grant s3:ListBucket on arn:aws:s3:::site ");
  });

  it("ECS AccessDeniedException keeps AWS's action and resource", async () => {
    answer = jsonError(
      "AccessDeniedException",
      "User: arn:aws:sts::123456789012:assumed-role/deploy/ci is not authorized to perform: ecs:UpdateService on resource: arn:aws:ecs:eu-west-1:123456789012:service/prod/api because no identity-based policy allows the ecs:UpdateService action",
    );
    const { code, text } = await outcome(() =>
      ecs().send(new UpdateServiceCommand({ cluster: "prod", service: "api" })),
    );
    expect(code).toBe(ExitCode.BadInput);
    expect(text).toContain(
      "ecs UpdateService was denied (AccessDeniedException): grant ecs:UpdateService on arn:aws:ecs:eu-west-1:123456789012:service/prod/api",
    );
  });

  it("UnauthorizedOperation is a permission problem too", async () => {
    answer = jsonError(
      "UnauthorizedOperation",
      "You are not authorized to perform this operation. Encoded authorization failure message: AbC",
    );
    const { code, text } = await outcome(() =>
      ecs().send(new UpdateServiceCommand({ cluster: "prod", service: "api" })),
    );
    expect(code).toBe(ExitCode.BadInput);
    expect(text).toContain('grant ecs:UpdateService on service "api", cluster "prod"');
    expect(text).toContain("aws sts decode-authorization-message");
  });

  it.each([
    ["S3", () => s3Error(400, "ExpiredToken", "The provided token has expired."), "s3"],
    [
      "ECS",
      () =>
        jsonError("ExpiredTokenException", "The security token included in the request is expired"),
      "ecs",
    ],
  ])("expired credentials from %s say to get fresh ones", async (_name, error, service) => {
    answer = error();
    const { code, text } = await outcome(() =>
      service === "s3"
        ? s3().send(new PutObjectCommand({ Bucket: "site", Key: "a", Body: "x" }))
        : ecs().send(new UpdateServiceCommand({ cluster: "prod", service: "api" })),
    );
    expect(code).toBe(ExitCode.BadInput);
    expect(text).toMatch(/the AWS credentials have expired \(ExpiredToken(Exception)? from/);
    expect(text).toContain("get fresh ones");
  });

  it("a cluster that does not exist is bad input naming it", async () => {
    answer = jsonError("ClusterNotFoundException", "Cluster not found.");
    const { code, text } = await outcome(() =>
      ecs().send(new UpdateServiceCommand({ cluster: "prod", service: "api" })),
    );
    expect(code).toBe(ExitCode.BadInput);
    expect(text).toContain('ecs UpdateService found no service "api", cluster "prod"');
  });

  it("a 5xx or a throttle through every SDK attempt is retries run out (exit 3), naming the call", async () => {
    answer = s3Error(500, "InternalError", "We encountered an internal error.");
    const failed = await outcome(() =>
      s3().send(new PutObjectCommand({ Bucket: "site", Key: "a", Body: "x" })),
    );
    expect(failed.code).toBe(ExitCode.TimedOut);
    expect(failed.text).toContain("s3 PutObject kept failing (HTTP 500 InternalError)");
    answer = { ...jsonError("ThrottlingException", "Rate exceeded"), status: 400 };
    const throttled = await outcome(() =>
      ecs().send(new UpdateServiceCommand({ cluster: "prod", service: "api" })),
    );
    expect(throttled.code).toBe(ExitCode.TimedOut);
    expect(throttled.text).toContain(
      "ecs UpdateService kept failing (HTTP 400 ThrottlingException)",
    );
  });

  it("anything else stays a bug (exit 70)", async () => {
    answer = jsonError("SomethingNobodyExpected", "What?");
    const { code, text } = await outcome(() =>
      ecs().send(new UpdateServiceCommand({ cluster: "prod", service: "api" })),
    );
    expect(code).toBe(ExitCode.Bug);
    expect(text).toContain("unexpected error");
    expect((await outcome(() => Promise.reject(new Error("boom")))).code).toBe(ExitCode.Bug);
  });
});
