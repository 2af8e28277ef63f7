import { join } from "node:path";
import { CloudFrontClient } from "@aws-sdk/client-cloudfront";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleImageInputs } from "../../scripts/sample-images";
import { Ledger } from "../../src/ledger/releases";
import { systemClock } from "../../src/lib/clock";
import { RolledBackError } from "../../src/lib/errors";
import { TerminalLogger } from "../../src/lib/logger";
import { runDeploy, runRollback } from "../../src/release/commands";
import type { ReleaseDeps } from "../../src/release/deploy";
import { parseDeployInputs, parseRollbackInputs } from "../../src/release/inputs";
import type { ReleaseRecord } from "../../src/release/record";
import { type ServiceStack, startServiceStack, waitFor, waitSteadyOn } from "../service/cloud";
import { buildSite, createDistribution, tempDir, type WebCloud } from "../web/cloud";
import { type FakeGitHub, startFakeGitHub } from "../workflows/fake-github";
import { iamActionsOf, policyActions } from "./iam";
import { baseImageOf, writeApi } from "./stand-in";

let stack: ServiceStack;
let github: FakeGitHub;
let distribution = "";
let edge = "";
let tmp = "";
const lines: string[] = [];
/** Called with each line the deploy logs: a test acts at a precise point of a run. */
let onLine: (line: string) => void = () => {};
const stream = {
  write: (chunk: string) => {
    const parts = chunk.split("\n").filter(Boolean);
    for (const part of parts) onLine(part);
    return lines.push(...parts) > 0;
  },
} as unknown as NodeJS.WritableStream;
const logger = new TerminalLogger({ out: stream, err: stream });

beforeAll(async () => {
  github = await startFakeGitHub();
  stack = await startServiceStack();
  const first = await stack.createService({ RELEASE_ID: "r0" });
  await waitSteadyOn(stack, first);
  await s3().send(new CreateBucketCommand({ Bucket: "site" }));
  const cloud = stack.cloud as unknown as WebCloud;
  distribution = await createDistribution(cloud, "site");
  edge = cloud.service<{ edgeUrl(id: string): string }>("cloudfront").edgeUrl(distribution);
  tmp = await tempDir("release");
}, 300_000);

afterAll(async () => {
  if (process.env.SHOW_DEPLOY_LOG) console.log(lines.join("\n"));
  await stack?.dispose();
  await github?.stop();
});

const config = () => ({
  endpoint: stack.cloud.endpoint,
  region: stack.cloud.region,
  credentials: stack.cloud.credentials,
});
const s3 = () => new S3Client({ ...config(), forcePathStyle: true });
const faults = () => (stack.cloud as unknown as WebCloud).faults;

function deps(run: string): ReleaseDeps {
  return {
    s3: s3(),
    cloudfront: () => new CloudFrontClient(config()),
    service: stack.clients,
    ecr: () => stack.clients.ecr,
    clock: systemClock,
    logger,
    env: {
      GITHUB_RUN_ID: run,
      GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567",
      GITHUB_ACTOR: "tester",
      // Each deploy and rollback is a GitHub deployment, recorded by a loopback GitHub API.
      GITHUB_SERVER_URL: "https://github.example",
      GITHUB_REPOSITORY: "acme/shop",
      GITHUB_API_URL: github.url,
      GITHUB_TOKEN: "ghs_release-test",
    },
  };
}

/** A deploy or rollback that is not a dry run returns its record. */
const deploy = async (...args: Parameters<typeof runDeploy>) =>
  (await runDeploy(...args)) as ReleaseRecord;
const rollback = async (...args: Parameters<typeof runRollback>) =>
  (await runRollback(...args)) as ReleaseRecord;

const common = () => ({
  environment: "production",
  url: edge,
  bucket: "site",
  cluster: stack.cluster,
  service: stack.service,
  "distribution-id": distribution,
  "gate-interval": "1s",
  "healthy-polls": "3",
  "grace-period": "1s",
  "gate-timeout": "90s",
});

/** The IAM actions the calls since `since` needed, each with one call that needed it. */
function actionsSince(since: number, until = Number.POSITIVE_INFINITY): Map<string, string> {
  const needed = new Map<string, string>();
  for (const call of stack.cloud.requestLog.list({ sinceSeq: since })) {
    if (call.seq > until) continue;
    // Tasks pull their images with the task execution role, not the deployer's: localcloud's
    // ECS pulls through the same registry, so its reads are not the deployer's.
    if (call.service === "registry" && /^Get(Manifest|Blob)$/.test(call.operation)) continue;
    for (const action of iamActionsOf(call.service, call.operation)) {
      needed.set(action, `${call.service} ${call.operation}`);
    }
  }
  return needed;
}

async function expectAllowed(command: string, needed: Map<string, string>): Promise<void> {
  const allowed = await policyActions(command);
  const missing = [...needed].filter(([action]) => !allowed.has(action));
  expect(missing, `actions/iam/${command}.json lacks what these calls need`).toEqual([]);
}

async function api(): Promise<{ build: string }> {
  return (await fetch(`${stack.lbUrl}/version`)).json() as Promise<{ build: string }>;
}

async function page(): Promise<string> {
  return (await fetch(`${edge}/`)).text();
}

describe("deploy and rollback on localcloud", () => {
  it("ships releases, puts the service back when the web fails before its entry points, goes forward when it fails after, and rolls back without any upload", async () => {
    const site1 = await buildSite(join(tmp, "web-1"), { releaseId: "web-one" });
    const deployStart = stack.cloud.requestLog.lastSeq;
    // Release 1 builds its API image, as a push to main does.
    const one = await deploy(
      parseDeployInputs({ ...common(), containers: "api=shipline/api", source: site1.dir }),
      {
        api: {
          ...(await sampleImageInputs("api")),
          context: await writeApi(join(tmp, "api-1"), "1"),
          "base-image": await baseImageOf(stack),
          "source-date-epoch": "1700000000",
        },
      },
      deps("1"),
    );
    expect(one).toMatchObject({ id: "0123456789ab-1.1", status: "live" });
    expect(one.steps.map((step) => step.name)).toEqual(["images", "service", "web"]);
    expect((await api()).build).toBe("1");

    const site2 = await buildSite(join(tmp, "web-2"), { releaseId: "web-two" });
    const two = await deploy(
      parseDeployInputs({ ...common(), images: `api=${stack.apiImageNext}`, source: site2.dir }),
      {},
      deps("2"),
    );
    expect(two.status).toBe("live");
    expect(two.taskDefinitionArn).not.toBe(one.taskDefinitionArn);
    expect((await api()).build).toBe("2");
    await waitFor("the edge to serve release 2", async () =>
      (await page()).includes("web-two") ? true : undefined,
    );

    // Release 3: the API rolls out, then the web step fails before its entry points (CloudFront
    // cannot be read): nothing of the new site is live, so the service returns.
    const ledger = new Ledger(s3(), "site", ".shipline/", "production");
    const site3 = await buildSite(join(tmp, "web-3"), { releaseId: "web-three" });
    // Armed when the web step starts: the distributions were already read before the lock.
    onLine = (line) => {
      if (line.includes("▶ web")) {
        onLine = () => {};
        faults().add({ service: "cloudfront", operation: "GetDistribution", kind: "error" });
      }
    };
    const three = deploy(
      parseDeployInputs({ ...common(), images: `api=${stack.apiImage}`, source: site3.dir }),
      {},
      deps("3"),
    );
    await expect(three).rejects.toBeInstanceOf(RolledBackError);
    faults().clear();
    expect(await ledger.read("0123456789ab-3.1")).toMatchObject({
      status: "rolled-back",
      failure: { step: "web" },
    });
    expect((await stack.describe()).taskDefinition).toBe(two.taskDefinitionArn);
    expect((await api()).build).toBe("2");
    expect((await ledger.live())?.value.releaseId).toBe(two.id);
    expect(await page()).toContain("web-two");

    // Release 4: the entry points go live, then every invalidation is refused (a missing
    // permission: an answer, not weather, so it is not retried). The release is committed: API
    // and SPA stay on it, it is recorded live, and the failure is a warning.
    const site4 = await buildSite(join(tmp, "web-4"), { releaseId: "web-four" });
    faults().add({ service: "cloudfront", operation: "CreateInvalidation", kind: "deny" });
    const warningsBefore = lines.filter((line) => line.includes("invalidating CloudFront failed"));
    const four = await deploy(
      parseDeployInputs({ ...common(), images: `api=${stack.apiImage}`, source: site4.dir }),
      {},
      deps("4"),
    ).finally(() => faults().clear());
    expect(four).toMatchObject({ id: "0123456789ab-4.1", status: "live" });
    expect(four.warnings?.[0]).toMatch(/the new site is live, but invalidating CloudFront failed/);
    expect(
      lines.filter((line) => line.includes("invalidating CloudFront failed")).length,
    ).toBeGreaterThan(warningsBefore.length);
    expect(await ledger.read(four.id)).toMatchObject({
      status: "live",
      web: { releaseId: four.id },
    });
    expect((await ledger.live())?.value.releaseId).toBe(four.id);
    expect((await stack.describe()).taskDefinition).toBe(four.taskDefinitionArn);
    expect(four.taskDefinitionArn).not.toBe(two.taskDefinitionArn);
    await waitFor("the edge to serve release 4", async () =>
      (await page()).includes("web-four") ? true : undefined,
    );

    await expectAllowed("deploy", actionsSince(deployStart));

    // Release 8: the gate passes, then recording the rollout fails (S3 refuses every write from
    // that moment). Still before the commit point: the service returns to release 4's.
    let armed = true;
    onLine = (line) => {
      if (armed && line.includes("gate: passed")) {
        armed = false;
        faults().add({ service: "s3", operation: "PutObject", kind: "deny" });
      }
    };
    const eight = deploy(
      parseDeployInputs({ ...common(), images: `api=${stack.apiImageNext}`, source: site4.dir }),
      {},
      deps("8"),
    );
    await expect(eight).rejects.toBeInstanceOf(RolledBackError);
    onLine = () => {};
    faults().clear();
    expect(armed).toBe(false);
    expect((await stack.describe()).taskDefinition).toBe(four.taskDefinitionArn);
    expect((await ledger.live())?.value.releaseId).toBe(four.id);
    expect(await page()).toContain("web-four");

    // Manual rollback to the previous live release: no image push, no task definition, no asset.
    const since = stack.cloud.requestLog.lastSeq;
    const back = await rollback(parseRollbackInputs({ ...common(), to: "previous" }), deps("5"));
    expect(back).toMatchObject({ status: "live", restores: two.id, trigger: "rollback" });
    expect((await stack.describe()).taskDefinition).toBe(two.taskDefinitionArn);
    expect((await api()).build).toBe("2");
    await waitFor("the edge to serve release 2 again", async () =>
      (await page()).includes("web-two") ? true : undefined,
    );
    const calls = stack.cloud.requestLog.list({ sinceSeq: since });
    const operations = new Set(calls.map((call) => `${call.service}:${call.operation}`));
    for (const forbidden of [
      "ecs:RegisterTaskDefinition",
      "ecr:PutImage",
      "ecr:InitiateLayerUpload",
      "ecr:CompleteLayerUpload",
    ]) {
      expect(operations.has(forbidden), forbidden).toBe(false);
    }
    // Objects written: copies inside the bucket and shipline's own records only.
    const puts = calls.filter((call) => call.service === "s3" && call.operation === "PutObject");
    expect(puts.length).toBeGreaterThan(0);
    for (const put of puts)
      expect((put as unknown as { path: string }).path).toMatch(/^\/site\/\.shipline\//);
    expect(operations.has("cloudfront:CreateInvalidation")).toBe(true);
    expect((await ledger.live())?.value).toMatchObject({
      releaseId: back.id,
      previous: [four.id, two.id, one.id],
    });
    await expectAllowed("rollback", actionsSince(since));
    const historyStart = stack.cloud.requestLog.lastSeq;
    expect((await ledger.history()).map((record) => record.id)).toContain(back.id);
    await expectAllowed("history", actionsSince(historyStart));

    // A rollback whose invalidations are all refused once the entry points are back: it goes
    // forward too, recorded live with a warning, API and SPA both on the release it returned to.
    faults().add({ service: "cloudfront", operation: "CreateInvalidation", kind: "deny" });
    const forward = await rollback(
      parseRollbackInputs({ ...common(), to: four.id }),
      deps("6"),
    ).finally(() => faults().clear());
    expect(forward).toMatchObject({ status: "live", restores: four.id });
    expect(forward.warnings?.[0]).toMatch(/invalidating CloudFront failed/);
    expect((await ledger.live())?.value.releaseId).toBe(forward.id);
    expect((await stack.describe()).taskDefinition).toBe(four.taskDefinitionArn);
    await waitFor("the edge to serve release 4 again", async () =>
      (await page()).includes("web-four") ? true : undefined,
    );

    // On GitHub: each run is a deployment of production with its outcome, linking its run.
    const run = (n: number) => `https://github.example/acme/shop/actions/runs/${n}`;
    expect(
      github.deployments.map((d) => [d.description, d.statuses.map((status) => status.state)]),
    ).toEqual([
      ["shipline deploy", ["in_progress", "success"]],
      ["shipline deploy", ["in_progress", "success"]],
      ["shipline deploy", ["in_progress", "failure"]],
      ["shipline deploy", ["in_progress", "success"]],
      ["shipline deploy", ["in_progress", "failure"]],
      ["shipline rollback", ["in_progress", "success"]],
      ["shipline rollback", ["in_progress", "success"]],
    ]);
    expect(new Set(github.deployments.map((d) => d.environment))).toEqual(new Set(["production"]));
    expect(github.deployments[1]?.statuses[1]).toEqual({
      state: "success",
      environment_url: edge,
      log_url: run(2),
    });
    expect(github.deployments[2]?.statuses[1]).toEqual({ state: "failure", log_url: run(3) });
    expect(github.deployments[5]?.statuses[1]?.log_url).toBe(run(5));
  }, 400_000);
});
