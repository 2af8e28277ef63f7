import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import deployPolicy from "../../iam/deploy.json" with { type: "json" };
import { parseConfig } from "../../src/config/load";
import { gitHead, highestLocalCounter, localRunEnv } from "../../src/release/local-run";
import { releaseIdOf, runContext } from "../../src/release/run-context";
import { ledgerStatement, mergedPolicy } from "../../src/setup/bucket-policy";
import { parseBootstrapInputs, parseInitInputs } from "../../src/setup/inputs";
import { renderConfig } from "../../src/setup/render-config";
import { fillPolicy } from "../../src/setup/roles";

const statement = ledgerStatement("site", ".shipline/", "aws");

describe("the bucket policy statement", () => {
  it("is added to a policy that has none, keeping every other statement and key", () => {
    const theirs = {
      Sid: "Read",
      Effect: "Allow",
      Principal: "*",
      Action: "s3:GetObject",
      Resource: "arn:aws:s3:::site/*",
    };
    expect(mergedPolicy(undefined, statement)).toEqual({
      Version: "2012-10-17",
      Statement: [statement],
    });
    expect(
      mergedPolicy({ Version: "2012-10-17", Id: "mine", Statement: theirs }, statement),
    ).toEqual({
      Version: "2012-10-17",
      Id: "mine",
      Statement: [theirs, statement],
    });
  });

  it("changes nothing when it is there as IAM reads it (one value or a list of one)", () => {
    const listed = {
      ...statement,
      Action: ["s3:GetObject"],
      Principal: { Service: ["cloudfront.amazonaws.com"] },
    };
    expect(mergedPolicy({ Version: "2012-10-17", Statement: [listed] }, statement)).toBeUndefined();
  });

  it("replaces a statement of the same Sid that says something else", () => {
    const old = { ...statement, Resource: "arn:aws:s3:::site/old/*" };
    expect(mergedPolicy({ Statement: [old] }, statement)?.Statement).toEqual([statement]);
  });
});

describe("the roles bootstrap prints", () => {
  it("name the configuration's repositories instead of the sample app's, and the account", () => {
    const filled = JSON.stringify(
      fillPolicy(deployPolicy, {
        account: "123456789012",
        region: "eu-west-1",
        bucket: "site",
        repositories: ["team/web"],
        partition: "aws",
      }),
    );
    expect(filled).toContain('"arn:aws:ecr:eu-west-1:123456789012:repository/team/web"');
    expect(filled).not.toMatch(/Repository\}/);
    expect(filled).toContain("arn:aws:s3:::site");
    expect(filled).not.toMatch(/\$\{Account\}/);
  });
});

describe("inputs", () => {
  it("init needs the cluster, the service and the bucket", () => {
    expect(() => parseInitInputs({ cluster: "c" })).toThrow(
      /"service"[\s\S]*"bucket"|"bucket"[\s\S]*"service"/,
    );
  });
  it("bootstrap checks the GitHub repository and the CircleCI pair", () => {
    const least = { environment: "production", bucket: "b" };
    expect(() => parseBootstrapInputs({ ...least, github: "not a repo" })).toThrow(/"github"/);
    expect(() => parseBootstrapInputs({ ...least, "circleci-org": "o" })).toThrow(/go together/);
  });
});

describe("init's file", () => {
  const found = {
    region: "eu-west-1",
    cluster: "prod",
    service: "web",
    taskDefinition: "arn:aws:ecs:eu-west-1:1:task-definition/web:7",
    containers: [
      {
        name: "api",
        image: "1.dkr.ecr.eu-west-1.amazonaws.com/team/api@sha256:ab",
        repository: "team/api",
      },
      { name: "datadog", image: "public.ecr.aws/datadog/agent:7" },
    ],
    targetGroups: [{ name: "api", container: "api", port: 3000, healthCheckPath: "/healthz" }],
  };
  const inputs = parseInitInputs({
    cluster: "prod",
    service: "web",
    bucket: "site",
    "distribution-id": "E2QWRUHAPOMQZL",
  });

  it("names the containers from this account's ECR, says what runs, and is a valid configuration", () => {
    const text = renderConfig(found, inputs);
    const config = parseConfig(text, "shipline.yml");
    expect(config.environments.production?.containers).toEqual({
      api: { repository: "team/api", builder: "oci" },
    });
    expect(config.environments.production?.distributions).toEqual(["E2QWRUHAPOMQZL"]);
    expect(text).toContain(
      "Not from this account's ECR, left as it is: datadog (public.ecr.aws/datadog/agent:7)",
    );
    expect(text).toContain("# Runs 1.dkr.ecr.eu-west-1.amazonaws.com/team/api@sha256:ab now.");
  });

  it("refuses a service none of whose images is in the account's ECR", () => {
    expect(() =>
      renderConfig(
        { ...found, containers: [found.containers[1] as (typeof found.containers)[number]] },
        inputs,
      ),
    ).toThrow(/no container .* runs an image from this account's ECR/);
  });
});

describe("a local run's release id", () => {
  it("counts one past the highest local counter among the environment's releases", async () => {
    const s3 = mockClient(S3Client);
    const commit = "0123456789abcdef0123456789abcdef01234567";
    const key = (id: string) => ({ Key: `.shipline/releases/production/${id}.json` });
    s3.on(ListObjectsV2Command).resolves({
      Contents: [
        key("0123456789ab-local1"),
        key("fedcba987654-local3"),
        key("0123456789ab-77.1"),
        key("0123456789ab-local9x"),
      ],
    });
    const ledger = {
      s3: new S3Client({ region: "eu-west-1" }),
      bucket: "b",
      ledgerPrefix: ".shipline/",
      environment: "production",
    };
    expect(await highestLocalCounter(ledger)).toBe(3);
    expect(s3.commandCalls(ListObjectsV2Command)[0]?.args[0].input.Prefix).toBe(
      ".shipline/releases/production/",
    );
    const env = await localRunEnv({ SHIPLINE_COMMIT: commit }, ledger);
    expect(releaseIdOf(runContext(env, 0))).toBe("0123456789ab-local4");
    // In CI the CI system names the run.
    expect(await localRunEnv({ GITHUB_RUN_ID: "5" }, ledger)).toEqual({ GITHUB_RUN_ID: "5" });
    s3.restore();
  });

  it("reads the commit from git, marked dirty when tracked files changed", async () => {
    const { execFileSync } = await import("node:child_process");
    const { mkdtemp, rm, writeFile } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const repo = await mkdtemp(join(tmpdir(), "shipline-git-"));
    try {
      expect(await gitHead(repo)).toBeUndefined();
      const git = (...args: string[]) =>
        execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
          cwd: repo,
          encoding: "utf8",
        });
      git("init", "-q");
      await writeFile(join(repo, "a.txt"), "1\n");
      git("add", "a.txt");
      git("commit", "-qm", "one");
      const head = git("rev-parse", "HEAD").trim();
      expect(await gitHead(repo)).toBe(head);
      await writeFile(join(repo, "untracked.txt"), "x\n");
      expect(await gitHead(repo)).toBe(head);
      await writeFile(join(repo, "a.txt"), "2\n");
      expect(await gitHead(repo)).toBe(`${head}-dirty`);
    } finally {
      await rm(repo, { recursive: true, force: true });
    }
  });
});

describe("the trust policies", () => {
  it("workflows/README.md shows those bootstrap prints (run: npx tsx actions/scripts/write-trust-policies.ts)", async () => {
    const { readFile } = await import("node:fs/promises");
    const { join } = await import("node:path");
    const { REPO_ROOT } = await import("../helpers/fixtures");
    const { renderTrustDocs, TRUST_DOCS_FILE } = await import("../../src/setup/trust-docs");
    const text = await readFile(join(REPO_ROOT, TRUST_DOCS_FILE), "utf8");
    expect(renderTrustDocs(text)).toBe(text);
    expect(() => renderTrustDocs(text.replace("<!-- /trust:github-deploy -->", ""))).toThrow(
      /github-deploy/,
    );
  });
});
