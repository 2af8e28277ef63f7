import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CreateRepositoryCommand } from "@aws-sdk/client-ecr";
import { DescribeTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { CreateBucketCommand, DeleteObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { sampleContainer } from "../../scripts/sample-images";
import { Ledger } from "../../src/ledger/releases";
import { readWebRelease } from "../../src/ledger/site";
import { type ServiceStack, startServiceStack, waitSteadyOn } from "../service/cloud";
import { buildSite, tempDir, type WebCloud } from "../web/cloud";
import { createEdge } from "./edge";
import { actionsNeeded, missingFromPolicy } from "./iam";
import { addSecondService, type SecondService } from "./second-service";
import { runShipline } from "./shipline-run";
import { baseImageOf, writeApi } from "./stand-in";

/**
 * Build once, promote through environments, on one localcloud: staging is the stack's service
 * (cluster shipline), production a second cluster and service behind its own load balancer, each
 * with its own bucket and distribution, and production's images in a repository of their own.
 */
let stack: ServiceStack;
let tmp = "";
let configFile = "";
let apiFolder = "";
const edges = { staging: "", production: "" };
let productionLb = "";
let productionService: SecondService;

const SHA = "fedcba9876543210fedcba9876543210fedcba98";

interface Call {
  seq: number;
  service: string;
  operation: string;
  method: string;
  path: string;
}

beforeAll(async () => {
  stack = await startServiceStack();
  const first = await stack.createService({ RELEASE_ID: "r0" }, { desiredCount: 1 });
  productionService = await addSecondService(stack, "production");
  productionLb = productionService.lbUrl;
  await stack.clients.ecr.send(
    new CreateRepositoryCommand({ repositoryName: "shipline/api-production" }),
  );
  for (const bucket of ["staging-site", "production-site"]) {
    await s3().send(new CreateBucketCommand({ Bucket: bucket }));
  }
  edges.staging = edgeUrl(await createEdge(stack, "staging-site"));
  edges.production = edgeUrl(
    await createEdge({ ...stack, lbUrl: productionLb }, "production-site"),
  );
  tmp = await tempDir("promote");
  apiFolder = await writeApi(join(tmp, "api"), "1");
  configFile = await writeConfig("shipline.yml", [
    { path: "/", assets: true },
    { path: "/api/version", body: '"build":"1"' },
  ]);
  await waitSteadyOn(stack, first);
  await waitSteadyOn(productionService, productionService.taskDefinition, "production steady");
}, 300_000);

afterAll(async () => {
  await stack?.dispose();
});

const edgeUrl = (distribution: string): string =>
  (stack.cloud as unknown as WebCloud)
    .service<{ edgeUrl(id: string): string }>("cloudfront")
    .edgeUrl(distribution);

const s3 = () =>
  new S3Client({
    endpoint: stack.cloud.endpoint,
    region: stack.cloud.region,
    credentials: stack.cloud.credentials,
    forcePathStyle: true,
  });

/** Both environments; production's checks are `verify`, given per file. */
async function writeConfig(name: string, checks: Record<string, unknown>[]): Promise<string> {
  const gate = { timeout: "90s", interval: "1s", "healthy-polls": 3, "grace-period": "1s" };
  const file = join(tmp, name);
  await writeFile(
    file,
    stringify({
      version: 1,
      region: stack.cloud.region,
      environments: {
        staging: {
          cluster: stack.cluster,
          service: stack.service,
          containers: {
            api: await sampleContainer("api", {
              repository: "shipline/api",
              context: apiFolder,
              "base-image": await baseImageOf(stack),
            }),
          },
          bucket: "staging-site",
          distributions: [],
          url: edges.staging,
          gate,
          "release-env": ["api:RELEASE_ID"],
        },
        production: {
          cluster: "production",
          service: "web",
          containers: { api: { repository: "shipline/api-production" } },
          bucket: "production-site",
          distributions: [],
          url: edges.production,
          gate,
          "release-env": ["api:RELEASE_ID"],
          verify: { latency: "5s", checks },
        },
      },
    }),
  );
  return file;
}

function shipline(args: string[], run: string) {
  return runShipline({
    args: [...args, "--config", configFile],
    env: {
      ...stack.cloud.env(),
      AWS_REGION: stack.cloud.region,
      GITHUB_SHA: SHA,
      GITHUB_RUN_ID: run,
      GITHUB_RUN_ATTEMPT: "1",
      GITHUB_ACTOR: "tester",
      SOURCE_DATE_EPOCH: "1700000000",
    },
    spawned: false,
  }).done;
}

/** The calls since `seq`, with the method and path localcloud logs too. */
const callsSince = (seq: number) =>
  stack.cloud.requestLog.list({ sinceSeq: seq }) as unknown as Call[];

const READ = /^(Describe|List|Get|BatchGet|BatchCheck|Head|CheckApi)/;
/** Calls that change something (data-plane traffic, the load balancer and the edge, aside). */
function writesSince(seq: number): string[] {
  return callsSince(seq)
    .filter((call) => !["alb", "edge", "cloudfront-edge"].includes(call.service))
    .filter((call) =>
      call.service === "s3" || call.service === "registry"
        ? !["GET", "HEAD"].includes(call.method)
        : !READ.test(call.operation),
    )
    .map((call) => `${call.service} ${call.operation} ${call.method} ${call.path}`);
}

const count = (calls: Call[], service: string, operations: RegExp) =>
  calls.filter((call) => call.service === service && operations.test(call.operation)).length;

const UPLOADS = /^(StartUpload|UploadBlob|PatchUpload|CompleteUpload)$/;

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

describe("promote-release and verify on localcloud", () => {
  it("a staging release goes to production unbuilt: same digests, same files byte for byte, no blob uploaded, the ledger names its source", async () => {
    const site = await buildSite(join(tmp, "web-1"), { releaseId: "rel-1" });
    const deployStart = stack.cloud.requestLog.lastSeq;
    const deployed = await shipline(
      ["deploy", "--environment", "staging", "--source", site.dir, "--release-id", "rel-1"],
      "701",
    );
    expect(deployed.code, deployed.output).toBe(0);
    const staging = new Ledger(s3(), "staging-site", ".shipline/", "staging");
    const source = await staging.read("rel-1");
    expect(source?.status).toBe("live");
    const built = callsSince(deployStart);
    const stagingUploads = count(built, "registry", UPLOADS);
    expect(stagingUploads).toBeGreaterThan(0);

    // A dry run reads and plans, and writes nothing.
    const dryStart = stack.cloud.requestLog.lastSeq;
    const dry = await shipline(
      ["promote-release", "--from", "staging", "--to", "production", "--dry-run"],
      "702",
    );
    expect(dry.code, dry.output).toBe(0);
    expect(dry.output).toContain("promoted from staging");
    expect(dry.output).toContain("copied by digest into shipline/api-production");
    expect(writesSince(dryStart)).toEqual([]);

    const promoteStart = stack.cloud.requestLog.lastSeq;
    const promoted = await shipline(
      // The pipeline's way: the newest live release of the commit this run builds.
      ["promote-release", "--from", "staging", "--to", "production", "--commit", "current"],
      "703",
    );
    expect(promoted.code, promoted.output).toBe(0);
    const calls = callsSince(promoteStart);
    // No build, no blob upload: the image's blobs are mounted from staging's repository.
    const mounted = count(calls, "registry", /^MountBlob$/);
    const blobs = count(calls, "registry", UPLOADS);
    console.log(
      `promotion: ${mounted} blob(s) mounted, ${blobs} upload request(s) (staging's build: ${stagingUploads}); ${calls.filter((c) => c.service === "s3" && c.method === "PUT").length} S3 PUT(s) into production`,
    );
    expect(blobs).toBe(0);
    expect(mounted).toBeGreaterThan(0);
    // What the promotion called is what actions/iam/promote-release.json allows.
    expect(
      await missingFromPolicy("promote-release", actionsNeeded(calls as Call[])),
      "actions/iam/promote-release.json lacks what these calls need",
    ).toEqual([]);
    // Staging is only read.
    expect(
      calls.filter(
        (call) =>
          call.service === "s3" &&
          call.path.includes("staging-site") &&
          !["GET", "HEAD"].includes(call.method),
      ),
    ).toEqual([]);

    // Production runs the very digest staging runs, from its own repository.
    const record = await new Ledger(s3(), "production-site", ".shipline/", "production").read(
      "rel-1",
    );
    expect(record).toMatchObject({
      status: "live",
      trigger: "promote",
      commit: SHA,
      promotedFrom: { environment: "staging", releaseId: "rel-1" },
    });
    const digest = source?.images.api?.digest ?? "none";
    expect(record?.images.api?.digest).toBe(digest);
    expect(record?.images.api?.repository).toBe("shipline/api-production");
    const service = await productionService.describe();
    const taskDefinition = (
      await stack.clients.ecs.send(
        new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition }),
      )
    ).taskDefinition;
    expect(taskDefinition?.containerDefinitions?.[0]?.image).toBe(
      `${stack.registry}/shipline/api-production@${digest}`,
    );
    expect(taskDefinition?.containerDefinitions?.[0]?.environment).toContainEqual({
      name: "RELEASE_ID",
      value: "rel-1",
    });
    expect(await (await fetch(`${productionLb}/version`)).json()).toEqual({ build: "1" });
    const history = await shipline(["history", "--environment", "production"], "704");
    expect(history.output).toMatch(/▶\s+rel-1\s+live\s+promoted from staging rel-1/);

    // Every file of the release, through each environment's edge: the same bytes.
    const web = await readWebRelease(
      s3(),
      { bucket: "staging-site", prefix: "", ledgerPrefix: ".shipline/" },
      "rel-1",
    );
    const keys = Object.keys(web?.files ?? {});
    expect(keys.length).toBeGreaterThan(2);
    for (const key of keys) {
      const [fromStaging, fromProduction] = await Promise.all(
        [edges.staging, edges.production].map(async (edge) =>
          Buffer.from(await (await fetch(`${edge}/${key}`)).arrayBuffer()),
        ),
      );
      if (!fromStaging || !fromProduction) throw new Error(`no bytes for ${key}`);
      expect(sha256(fromProduction), key).toBe(web?.files[key]?.sha256);
      expect(fromProduction.equals(fromStaging), key).toBe(true);
    }
  }, 300_000);

  it("a release that failed in staging is refused with exit 4, with no write and no lock", async () => {
    await writeApi(apiFolder, "bad", false);
    const site = await buildSite(join(tmp, "web-2"), { releaseId: "rel-2" });
    const failed = await shipline(
      ["deploy", "--environment", "staging", "--source", site.dir, "--release-id", "rel-2"],
      "711",
    );
    expect(failed.code, failed.output).toBe(1);
    await writeApi(apiFolder, "1");
    const before = stack.cloud.requestLog.lastSeq;
    const refused = await shipline(
      ["promote-release", "--from", "staging", "--to", "production", "--release", "rel-2"],
      "712",
    );
    expect(refused.code, refused.output).toBe(4);
    expect(refused.output).toMatch(/release "rel-2" is rolled-back in environment "staging"/);
    // Never deployed there at all: refused the same way.
    const unknown = await shipline(
      ["promote-release", "--from", "staging", "--to", "production", "--release", "rel-9"],
      "713",
    );
    expect(unknown.code, unknown.output).toBe(4);
    expect(unknown.output).toContain('environment "staging" has no release "rel-9"');
    expect(writesSince(before)).toEqual([]);
    expect(
      callsSince(before).filter((call) => call.path.includes("/locks/")),
      "the lock is not even read",
    ).toEqual([]);
    // Production still serves rel-1.
    const live = await new Ledger(s3(), "production-site", ".shipline/", "production").live();
    expect(live?.value.releaseId).toBe("rel-1");
  }, 300_000);

  it("verify passes on the good release, fails on a wrong body text and on a broken asset", async () => {
    const passed = await shipline(["verify", "--environment", "production"], "721");
    expect(passed.code, passed.output).toBe(0);
    expect(passed.output).toMatch(/asset \/assets\/\S+\.js .* pass/);
    expect(passed.output).toMatch(/Verify production at .*: (\d+) of \1 passed/);

    const wrongText = await writeConfig("wrong-text.yml", [
      { path: "/api/version", body: '"build":"2"' },
    ]);
    const text = await runShipline({
      args: ["verify", "--config", wrongText, "--environment", "production"],
      env: { ...stack.cloud.env() },
      spawned: false,
    }).done;
    expect(text.code, text.output).toBe(1);
    expect(text.output).toContain("text missing");

    const web = await readWebRelease(
      s3(),
      { bucket: "production-site", prefix: "", ledgerPrefix: ".shipline/" },
      "rel-1",
    );
    const script = Object.keys(web?.files ?? {}).find((key) => key.endsWith(".js")) ?? "";
    await s3().send(new DeleteObjectCommand({ Bucket: "production-site", Key: script }));
    const broken = await shipline(["verify", "--environment", "production"], "722");
    expect(broken.code, broken.output).toBe(1);
    expect(broken.output).toMatch(new RegExp(`asset /${script.replace(/[.]/g, "\\.")} .*FAIL`));
    expect(broken.output).toContain("1 check(s) failed");
  }, 120_000);
});
