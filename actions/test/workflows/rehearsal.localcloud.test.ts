import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { sampleContainer } from "../../scripts/sample-images";
import { Ledger } from "../../src/ledger/releases";
import { renderGitHub } from "../../src/workflows/github";
import { SPEC_FILE } from "../../src/workflows/render";
import { parseSpec } from "../../src/workflows/spec";
import { REPO_ROOT } from "../helpers/fixtures";
import { addSecondService } from "../release/second-service";
import { baseImageOf, writeApi } from "../release/stand-in";
import { type ServiceStack, startServiceStack, waitFor, waitSteadyOn } from "../service/cloud";
import { createDistribution, tempDir, type WebCloud } from "../web/cloud";
import { type FakeGitHub, startFakeGitHub } from "./fake-github";
import { type RehearsalContexts, rehearse, rehearseJob, type StepRun } from "./rehearsal";

/**
 * The deploy, rollback and promotion workflows, rehearsed: their own `run` steps, in order, with the env
 * their YAML sets, against localcloud. Only the runner's preparation differs: the repository is
 * this checkout (dependencies installed, so `npm ci` is not run again), Node is this one, and the
 * AWS credentials and endpoint are the local cloud's. SHIPLINE_CONFIG points the pipeline at a
 * configuration file naming the local stack, as a repository variable would.
 */
let stack: ServiceStack;
let distribution = "";
let edge = "";
// Previews have a distribution (and so a hostname) of their own: never production's origin.
let previewDistribution = "";
let previewEdge = "";
// Staging: a cluster, service, load balancer, bucket and distribution of its own.
let stagingEdge = "";
let tmp = "";
let configFile = "";
/** The configuration file's content, for tests that add an environment to it. */
let config: { environments: Record<string, unknown> } & Record<string, unknown>;
let apiFolder = "";
/** GitHub for the deploy and rollback runs: whatever they tell GitHub stays on loopback. */
let releaseGitHub: FakeGitHub;

beforeAll(async () => {
  releaseGitHub = await startFakeGitHub();
  stack = await startServiceStack();
  const first = await stack.createService({ RELEASE_ID: "r0" });
  await waitSteadyOn(stack, first);
  await s3().send(new CreateBucketCommand({ Bucket: "rehearsal-site" }));
  const cloud = stack.cloud as unknown as WebCloud;
  distribution = await createDistribution(cloud, "rehearsal-site");
  edge = cloud.service<{ edgeUrl(id: string): string }>("cloudfront").edgeUrl(distribution);
  previewDistribution = await createDistribution(cloud, "rehearsal-site");
  previewEdge = cloud
    .service<{ edgeUrl(id: string): string }>("cloudfront")
    .edgeUrl(previewDistribution);
  tmp = await tempDir("rehearsal");
  apiFolder = await writeApi(join(tmp, "api"), "1");
  const staging = await addSecondService(stack, "staging");
  await s3().send(new CreateBucketCommand({ Bucket: "rehearsal-staging" }));
  stagingEdge = cloud
    .service<{ edgeUrl(id: string): string }>("cloudfront")
    .edgeUrl(await createDistribution(cloud, "rehearsal-staging"));
  const gate = { timeout: "90s", interval: "1s", "healthy-polls": 3, "grace-period": "1s" };
  const api = await sampleContainer("api", {
    repository: "shipline/api",
    context: apiFolder,
    "base-image": await baseImageOf(stack),
  });
  const verify = { latency: "5s", checks: [{ path: "/", assets: true }] };
  configFile = join(tmp, "shipline.yml");
  config = {
    version: 1,
    region: stack.cloud.region,
    environments: {
      staging: {
        cluster: staging.cluster,
        service: staging.service,
        containers: { api },
        bucket: "rehearsal-staging",
        distributions: [],
        url: stagingEdge,
        web: "app-web/dist",
        gate,
        verify,
      },
      production: {
        cluster: stack.cluster,
        service: stack.service,
        containers: { api },
        bucket: "rehearsal-site",
        distributions: [distribution],
        url: edge,
        web: "app-web/dist",
        gate,
        verify,
      },
    },
  };
  await writeFile(configFile, stringify(config));
  await waitSteadyOn(staging, staging.taskDefinition, "staging's first revision steady");
}, 300_000);

afterAll(async () => {
  await stack?.dispose();
  await releaseGitHub?.stop();
});

const s3 = () =>
  new S3Client({
    endpoint: stack.cloud.endpoint,
    region: stack.cloud.region,
    credentials: stack.cloud.credentials,
    forcePathStyle: true,
  });

const SHA = "89abcdef0123456789abcdef0123456789abcdef";

function runner(run: string): { env: Record<string, string>; override: Record<string, string> } {
  return {
    env: {
      ...stack.cloud.env(),
      AWS_REGION: stack.cloud.region,
      GITHUB_SHA: SHA,
      GITHUB_RUN_ID: run,
      GITHUB_RUN_ATTEMPT: "1",
      GITHUB_ACTOR: "rehearsal",
      GITHUB_REPOSITORY: "shipline/shipline",
      GITHUB_API_URL: releaseGitHub.url,
      SOURCE_DATE_EPOCH: "1700000000",
    },
    override: { SHIPLINE_CONFIG: configFile },
  };
}

const contexts = (inputs: Record<string, string> = {}): RehearsalContexts => ({
  vars: {
    AWS_REGION: stack.cloud.region,
    SHIPLINE_ROLE_ARN: "arn:aws:iam::000000000000:role/deploy",
  },
  inputs,
  github: { repository: "shipline/shipline", token: "unused" },
});

function expectPassed(runs: StepRun[], names: string[]): void {
  const failed = runs.find((run) => run.code !== 0);
  expect(failed?.output ?? "", `step "${failed?.name}" failed`).toBe("");
  expect(runs.map((run) => run.name)).toEqual(names);
}

const page = async () => (await fetch(`${edge}/`)).text();
const api = async () =>
  ((await (await fetch(`${stack.lbUrl}/version`)).json()) as { build: string }).build;

describe("rehearsal of the pipelines on localcloud", () => {
  it("deploy twice, then rollback to the previous release, exactly as the workflows run", async () => {
    const ledger = new Ledger(s3(), "rehearsal-site", ".shipline/", "production");
    const skipInstall = { skip: /^npm ci$/ };

    const first = await rehearse(".github/workflows/deploy.yml", "deploy", contexts(), {
      ...runner("501"),
      ...skipInstall,
    });
    expectPassed(first, ["Build the API bundle and the SPA", "Deploy"]);
    const one = "89abcdef0123-501.1";
    expect((await ledger.live())?.value.releaseId).toBe(one);
    // The SPA was built with the id the deploy recorded: the two steps agree through the CLI.
    await waitFor("release 1 at the edge", async () =>
      (await page()).includes(one) ? true : undefined,
    );
    expect(await api()).toBe("1");

    await writeApi(apiFolder, "2");
    const second = await rehearse(".github/workflows/deploy.yml", "deploy", contexts(), {
      ...runner("502"),
      ...skipInstall,
    });
    expectPassed(second, ["Build the API bundle and the SPA", "Deploy"]);
    const two = "89abcdef0123-502.1";
    await waitFor("release 2 at the edge", async () =>
      (await page()).includes(two) ? true : undefined,
    );
    expect(await api()).toBe("2");

    const back = await rehearse(
      ".github/workflows/rollback.yml",
      "rollback",
      contexts({ to: "previous", release: "", environment: "production" }),
      { ...runner("503"), ...skipInstall },
    );
    expectPassed(back, ["Roll back"]);
    expect(back[0]?.output).toContain(`restored=${one}`);
    await waitFor("release 1 at the edge again", async () =>
      (await page()).includes(one) ? true : undefined,
    );
    expect(await api()).toBe("1");
    const live = (await ledger.live())?.value;
    expect(live?.previous.slice(0, 2)).toEqual([two, one]);
    const rollbackRecord = await ledger.read(live?.releaseId ?? "");
    expect(rollbackRecord).toMatchObject({
      trigger: "rollback",
      restores: one,
      actor: "rehearsal",
    });
  }, 300_000);

  it("promotion: a push deploys and verifies staging; once approved, production gets the same release unbuilt and is verified", async () => {
    const skipInstall = { skip: /^npm ci$/ };
    const promotion = ".github/workflows/promotion.yml";
    // GitHub runs the staging job, then (its environment's reviewers having approved) production.
    const staged = await rehearse(promotion, "staging", contexts(), {
      ...runner("504"),
      ...skipInstall,
    });
    expectPassed(staged, [
      "Build the API bundle and the SPA",
      "Deploy to staging",
      "Verify staging",
    ]);
    const id = "89abcdef0123-504.1";
    expect(staged[2]?.output).toMatch(/Verify staging at .*: (\d+) of \1 passed/);
    const stagingLedger = new Ledger(s3(), "rehearsal-staging", ".shipline/", "staging");
    const source = await stagingLedger.read(id);
    expect(source?.status).toBe("live");

    const uploadsBefore = stack.cloud.requestLog.lastSeq;
    const promoted = await rehearse(promotion, "production", contexts(), runner("504"));
    expectPassed(promoted, ["Promote the staging release", "Verify production"]);
    expect(promoted[1]?.output).toMatch(/Verify production at .*: (\d+) of \1 passed/);
    // Nothing was built or uploaded to the registry for production.
    const registryWrites = stack.cloud.requestLog
      .list({ sinceSeq: uploadsBefore, service: "registry" })
      .filter((call) => /Upload|PutManifest/.test(call.operation));
    expect(registryWrites).toEqual([]);
    const record = await new Ledger(s3(), "rehearsal-site", ".shipline/", "production").read(id);
    expect(record).toMatchObject({
      status: "live",
      trigger: "promote",
      promotedFrom: { environment: "staging", releaseId: id },
    });
    expect(record?.images.api?.digest).toBe(source?.images.api?.digest);
    await waitFor("the staging release at production's edge", async () =>
      (await page()).includes(id) ? true : undefined,
    );
    expect(await (await fetch(`${stagingEdge}/`)).text()).toBe(await page());
  }, 300_000);

  it("preview on a pull request (one comment, updated), then cleanup when it closes", async () => {
    const github = await startFakeGitHub();
    try {
      const previewContexts: RehearsalContexts = {
        vars: {
          AWS_REGION: stack.cloud.region,
          SHIPLINE_PREVIEW_ROLE_ARN: "arn:aws:iam::000000000000:role/preview",
          SHIPLINE_BUCKET: "rehearsal-site",
          SHIPLINE_PREVIEW_DISTRIBUTION_ID: previewDistribution,
          SHIPLINE_PREVIEW_URL: previewEdge,
          // No base image: the previews here run no API of their own (see the full-stack test).
          SHIPLINE_PREVIEW_BASE_IMAGE: "",
        },
        github: {
          repository: "acme/shop",
          token: "fake-token",
          "event.pull_request.number": "7",
        },
      };
      const pullRequestRunner = (run: string) => {
        const { env, override } = runner(run);
        return {
          env: {
            ...env,
            GITHUB_REPOSITORY: "acme/shop",
            GITHUB_REF: "refs/pull/7/merge",
            GITHUB_EVENT_NAME: "pull_request",
            GITHUB_API_URL: github.url,
          },
          override,
          // Installing is the runner's preparation; the projects' own tests run in this suite.
          skip: /^(npm ci|npx vitest run .*)$/,
        };
      };
      for (const run of ["601", "602"]) {
        // The build job (no credentials) leaves app-web/dist; the runner hands it to the publish
        // job as the artifact, here the same folder.
        const built = await rehearse(
          ".github/workflows/preview.yml",
          "build",
          previewContexts,
          pullRequestRunner(run),
        );
        expectPassed(built, [
          "Build the SPA for where the preview is served",
          "Build the API's image into an OCI layout (no registry, no credentials)",
        ]);
        const steps = await rehearse(
          ".github/workflows/preview.yml",
          "preview",
          previewContexts,
          pullRequestRunner(run),
        );
        expectPassed(steps, ["Publish the preview"]);
      }
      expect(new URL(previewEdge).origin).not.toBe(new URL(edge).origin);
      const preview = await fetch(`${previewEdge}/previews/pr-7/index.html`);
      expect(preview.status).toBe(200);
      expect(await preview.text()).toContain("pr-7");
      // One comment on the pull request, written once and then updated, naming the preview URL.
      expect(github.writes.filter((write) => !write.startsWith("deployment"))).toEqual([
        "create 7",
        "update 7",
      ]);
      expect(github.comments).toHaveLength(1);
      expect(github.comments[0]?.body).toContain(`${previewEdge}/previews/pr-7/`);

      const cleanup = await rehearse(
        ".github/workflows/preview-cleanup.yml",
        "preview-cleanup",
        previewContexts,
        pullRequestRunner("603"),
      );
      expectPassed(cleanup, ["Remove the preview"]);
      const left = await s3().send(
        new ListObjectsV2Command({ Bucket: "rehearsal-site", Prefix: "previews/pr-7/" }),
      );
      expect(left.KeyCount ?? 0).toBe(0);
      // The production site is untouched by previews.
      expect(await page()).toContain("89abcdef0123-504.1");
    } finally {
      await github.stop();
    }
  }, 300_000);

  it("promotion to several environments at once: each matrix run in its environment, both holding their own lock together", async () => {
    // A third environment: its own service, bucket and distribution.
    const second = await addSecondService(stack, "production-b");
    await s3().send(new CreateBucketCommand({ Bucket: "rehearsal-b" }));
    const cloud = stack.cloud as unknown as WebCloud;
    const secondDistribution = await createDistribution(cloud, "rehearsal-b");
    const secondEdge = cloud
      .service<{ edgeUrl(id: string): string }>("cloudfront")
      .edgeUrl(secondDistribution);
    const production = config.environments.production as Record<string, unknown>;
    config.environments["production-b"] = {
      ...production,
      cluster: second.cluster,
      service: second.service,
      bucket: "rehearsal-b",
      distributions: [secondDistribution],
      url: secondEdge,
    };
    await writeFile(configFile, stringify(config));
    await waitSteadyOn(second, second.taskDefinition, "production-b's first revision steady");

    // The repository's pipelines with production fanned out to both; the step names neither.
    const doc = parse(await readFile(join(REPO_ROOT, SPEC_FILE), "utf8")) as {
      promotion: { stages: Record<string, Record<string, unknown>> };
    };
    const stage = doc.promotion.stages.production as { steps: { run: string }[] } & Record<
      string,
      unknown
    >;
    delete stage.environment;
    stage.environments = ["production", "production-b"];
    for (const step of stage.steps) step.run = step.run.replace(" --to production", "");
    const workflow =
      renderGitHub(parseSpec(stringify(doc)), "")[".github/workflows/promotion.yml"] ?? "";

    const staged = await rehearseJob(workflow, "fan-out.yml", "staging", contexts(), {
      ...runner("505"),
      skip: /^npm ci$/,
    });
    expectPassed(staged, [
      "Build the API bundle and the SPA",
      "Deploy to staging",
      "Verify staging",
    ]);
    const id = "89abcdef0123-505.1";

    const since = stack.cloud.requestLog.lastSeq;
    const runs = await Promise.all(
      ["production", "production-b"].map((environment) =>
        rehearseJob(
          workflow,
          "fan-out.yml",
          "production",
          { ...contexts(), matrix: { environment } },
          runner("505"),
        ),
      ),
    );
    for (const run of runs) expectPassed(run, ["Promote the staging release", "Verify production"]);
    for (const [environment, bucket] of [
      ["production", "rehearsal-site"],
      ["production-b", "rehearsal-b"],
    ] as const) {
      expect(await new Ledger(s3(), bucket, ".shipline/", environment).read(id)).toMatchObject({
        status: "live",
        trigger: "promote",
        promotedFrom: { environment: "staging", releaseId: id },
      });
    }
    // Each run held its own environment's lock, and both held theirs at the same time.
    const lockCalls = (environment: string, operation: string) =>
      stack.cloud.requestLog
        .list({ sinceSeq: since, service: "s3", operation })
        .filter((call) => call.status < 300 && call.path.includes(`locks/${environment}.json`))
        .map((call) => call.seq);
    const taken = ["production", "production-b"].map((name) => lockCalls(name, "PutObject")[0]);
    const released = ["production", "production-b"].map(
      (name) => lockCalls(name, "DeleteObject").at(-1) ?? 0,
    );
    expect(taken.every((seq) => seq !== undefined)).toBe(true);
    expect(Math.max(...(taken as number[]))).toBeLessThan(Math.min(...released));
    await waitFor("the release at production-b's edge", async () =>
      (await (await fetch(`${secondEdge}/`)).text()).includes(id) ? true : undefined,
    );
  }, 300_000);
});
