import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { environmentInputs } from "../../src/config/environment";
import { configJsonSchema, SCHEMA_FILE } from "../../src/config/json-schema";
import { loadConfig, parseConfig } from "../../src/config/load";
import { mergeRawInputs } from "../../src/lib/ci-context";
import { ConfigurationError } from "../../src/lib/errors";
import { REPO_ROOT } from "../helpers/fixtures";

const GOOD = `
version: 1
region: eu-west-1
environments:
  production:
    cluster: shipline
    service: web
    containers:
      api: { repository: shipline/api, cmd: [node, server.mjs], ports: [3000] }
      nginx: { repository: shipline/nginx, destination: /etc/nginx/templates }
    bucket: shipline-site
    distributions: [E2QWRUHAPOMQZL]
    gate: { timeout: 10m, interval: 2, healthy-polls: 3 }
    keep-revisions: 5
  staging:
    region: us-east-1
    cluster: shipline-staging
    service: web
    containers:
      api: { repository: shipline/api }
    bucket: shipline-staging
`;

function problems(text: string): string {
  try {
    parseConfig(text, "shipline.yml");
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as Error).message;
  }
  throw new Error("expected the configuration to be refused");
}

describe("configuration file", () => {
  it("parses environments, with defaults", () => {
    const config = parseConfig(GOOD, "shipline.yml");
    expect(Object.keys(config.environments)).toEqual(["production", "staging"]);
    expect(config.environments.staging?.distributions).toEqual([]);
    expect(config.environments.staging?.gate).toEqual({});
  });

  it("names the file, the line, the key path and what was expected", () => {
    const message = problems(GOOD.replace("interval: 2", "interval: soon"));
    expect(message).toMatch(
      /^shipline\.yml:13: environments\.production\.gate\.interval: expected a duration like "30s".*got "soon"$/m,
    );
  });

  it("reports every problem at once, unknown keys and missing keys included", () => {
    const message = problems(
      GOOD.replace("bucket: shipline-site", "bukket: shipline-site").replace(
        "[E2QWRUHAPOMQZL]",
        "[not-an-id]",
      ),
    );
    expect(message).toContain('environments.production: unknown key "bukket"');
    expect(message).toContain("environments.production.bucket: is required (string)");
    expect(message).toMatch(
      /shipline\.yml:12: environments\.production\.distributions\.0: expected a CloudFront distribution id.*got "not-an-id"/,
    );
  });

  it("refuses invalid YAML with its line", () => {
    expect(problems("version: 1\nenvironments:\n  a: [\n")).toMatch(
      /^shipline\.yml:\d+: not valid YAML/,
    );
  });

  it("says when the file is missing", async () => {
    await expect(loadConfig("/nonexistent/shipline.yml")).rejects.toThrow(
      /configuration file "\/nonexistent\/shipline.yml" does not exist/,
    );
  });

  it("turns an environment into raw inputs that flags override", () => {
    const config = parseConfig(GOOD, "shipline.yml");
    const fromFile = environmentInputs(config, "production", "shipline.yml");
    expect(fromFile).toMatchObject({
      region: "eu-west-1",
      cluster: "shipline",
      containers: "api=shipline/api\nnginx=shipline/nginx",
      "distribution-id": "E2QWRUHAPOMQZL",
      "gate-timeout": "10m",
      "gate-interval": "2",
    });
    expect(environmentInputs(config, "staging", "shipline.yml").region).toBe("us-east-1");
    const merged = mergeRawInputs(fromFile, { cluster: "other", bucket: "" });
    expect(merged.cluster).toBe("other");
    expect(merged.bucket).toBe("shipline-site");
  });

  it("web: sets how a release goes live (web-mode atomic and its store)", () => {
    const config = parseConfig(
      GOOD.replace(
        "    keep-revisions: 5\n",
        "    keep-revisions: 5\n    web: { source: dist, mode: atomic, key-value-store: site-live }\n",
      ),
      "shipline.yml",
    );
    expect(environmentInputs(config, "production", "shipline.yml")).toMatchObject({
      source: "dist",
      "web-mode": "atomic",
      "key-value-store": "site-live",
    });
    expect(
      problems(GOOD.replace("    keep-revisions: 5\n", "    web: { source: dist, mode: swap }\n")),
    ).toMatch(/environments\.production\.web/);
  });

  it("names the known environments when asked for another", () => {
    const config = parseConfig(GOOD, "shipline.yml");
    expect(() => environmentInputs(config, "prod", "shipline.yml")).toThrow(
      'shipline.yml: environments.prod: no such environment (the file has "production", "staging")',
    );
  });

  it("the committed JSON Schema is the one the zod schema generates", async () => {
    const committed = await readFile(join(REPO_ROOT, "actions", SCHEMA_FILE), "utf8");
    expect(committed, "run: npx tsx actions/scripts/write-config-schema.ts").toBe(
      configJsonSchema(),
    );
    const schema = JSON.parse(committed);
    expect(schema.properties.environments.additionalProperties.required).toEqual(
      expect.arrayContaining(["cluster", "containers", "bucket"]),
    );
    // One of service (the shorthand) or services: neither is required by itself.
    expect(schema.properties.environments.additionalProperties.required).not.toContain("service");
    expect(schema.properties.environments.additionalProperties.properties.services).toBeDefined();
  });

  const SEVERAL = GOOD.replace(
    "    service: web\n    containers:\n      api: { repository: shipline/api, cmd",
    "    services:\n      api:\n        service: shop-api\n        task-definition: ecs/api.json\n      worker:\n        service: shop-worker\n        cluster: jobs\n    containers:\n      api: { repository: shipline/api, cmd",
  );

  it("gives several services as KEY=SERVICE lines with their cluster and task definition", () => {
    expect(SEVERAL).not.toBe(GOOD);
    const inputs = environmentInputs(parseConfig(SEVERAL, "shipline.yml"), "production", "f");
    expect(inputs.service).toBeUndefined();
    expect(inputs.services).toBe(
      "api=shop-api task-definition=ecs/api.json\nworker=shop-worker cluster=jobs",
    );
    expect(inputs.cluster).toBe("shipline");
  });

  it("refuses service and services together, neither, and an environment task definition with services", () => {
    const both = SEVERAL.replace("    services:\n", "    service: web\n    services:\n");
    expect(problems(both)).toMatch(/environments\.production\.services: expected either service/);
    const neither = GOOD.replace(
      "    service: web\n    containers:\n      api: { repository: shipline/api, cmd",
      "    containers:\n      api: { repository: shipline/api, cmd",
    );
    expect(problems(neither)).toMatch(
      /environments\.production\.services: expected either service/,
    );
    const file = SEVERAL.replace(
      "    keep-revisions: 5",
      "    keep-revisions: 5\n    task-definition: ecs/all.json",
    );
    expect(problems(file)).toMatch(
      /environments\.production\.task-definition: is the one-service shorthand's/,
    );
    const key = SEVERAL.replace("      worker:\n", "      Worker!:\n");
    expect(problems(key)).toMatch(/expected a service key/);
  });

  it("loads a file from disk", async () => {
    const path = join(
      await import("node:os").then((os) => os.tmpdir()),
      `shipline-${process.pid}.yml`,
    );
    await writeFile(path, GOOD);
    expect((await loadConfig(path)).region).toBe("eu-west-1");
  });
});
