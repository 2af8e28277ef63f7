import { describe, expect, it } from "vitest";
import { ConfigurationError } from "../../src/lib/errors";
import { parseDeployServiceInputs } from "../../src/service/inputs";

const DIGEST = `sha256:${"c".repeat(64)}`;
const ECR = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";

describe("parseDeployServiceInputs", () => {
  it("parses every input into typed settings, with defaults", () => {
    const inputs = parseDeployServiceInputs({
      cluster: "prod",
      service: "web",
      images: `api=${ECR}/shipline/api@${DIGEST}\nnginx=${ECR}/shipline/nginx:v1@${DIGEST}`,
      environment: "api:LOG_LEVEL=debug\napi:GREETING=a=b, c",
      "migration-command": '["node", "/app/migrate.mjs"]',
      "gate-timeout": "2m",
      "grace-period": "0s",
      commit: "abc",
    });
    expect(inputs.images.map((image) => [image.container, image.repository, image.digest])).toEqual(
      [
        ["api", "shipline/api", DIGEST],
        ["nginx", "shipline/nginx", DIGEST],
      ],
    );
    expect(inputs.environment).toEqual({ api: { LOG_LEVEL: "debug", GREETING: "a=b, c" } });
    expect(inputs.migration).toEqual({ command: ["node", "/app/migrate.mjs"], timeoutMs: 600_000 });
    expect(inputs.gate).toEqual({
      pollIntervalMs: 5000,
      healthyPolls: 3,
      timeoutMs: 120_000,
      graceMs: 0,
    });
    expect(inputs.rollback).toBe(true);
    expect(inputs.waitForRollback).toBe(true);
    expect(inputs.rollbackTimeoutMs).toBe(120_000);
    expect(inputs.keepRevisions).toBe(0);
    expect(inputs.dryRun).toBe(false);
  });

  it("still reads the deprecated poll-interval, timeout and grace, the current names winning", () => {
    const old = parseDeployServiceInputs({
      cluster: "c",
      service: "s",
      "poll-interval": "2s",
      timeout: "3m",
      grace: "20s",
    });
    expect(old.gate).toEqual({
      pollIntervalMs: 2000,
      healthyPolls: 3,
      timeoutMs: 180_000,
      graceMs: 20_000,
    });
    const both = parseDeployServiceInputs({
      cluster: "c",
      service: "s",
      timeout: "3m",
      "gate-timeout": "4m",
    });
    expect(both.gate.timeoutMs).toBe(240_000);
  });

  it("leaves grace to the service when not given", () => {
    const inputs = parseDeployServiceInputs({ cluster: "c", service: "s" });
    expect(inputs.gate.graceMs).toBeUndefined();
  });

  it.each([
    { raw: { service: "s" }, message: 'input "cluster" is required' },
    {
      raw: { cluster: "c", service: "s", images: `api=${ECR}/shipline/api:latest` },
      message: "has no digest",
    },
    {
      raw: { cluster: "c", service: "s", images: `${ECR}/shipline/api@${DIGEST}` },
      message: "must be container=registry/repository@sha256",
    },
    {
      raw: { cluster: "c", service: "s", images: `api=${ECR}/shipline/api@sha256:123` },
      message: "is not sha256:<64 hex>",
    },
    {
      raw: { cluster: "c", service: "s", images: `api=${ECR}/Shipline/api@${DIGEST}` },
      message: "must be lowercase",
    },
    {
      raw: { cluster: "c", service: "s", images: `api=${ECR}/a@${DIGEST},api=${ECR}/b@${DIGEST}` },
      message: 'names container "api" twice',
    },
    {
      raw: { cluster: "c", service: "s", environment: "LOG_LEVEL=debug" },
      message: "must be container:NAME=value",
    },
    {
      raw: { cluster: "c", service: "s", "gate-timeout": "-5m" },
      message: 'input "gate-timeout" must be a duration',
    },
    {
      raw: { cluster: "c", service: "s", "gate-timeout": "0" },
      message: 'input "gate-timeout" must be more than 0',
    },
    { raw: { cluster: "c", service: "s", "grace-period": "-1s" }, message: 'input "grace-period"' },
    {
      raw: { cluster: "c", service: "s", "healthy-polls": "0" },
      message: 'input "healthy-polls" must be a whole number from 1',
    },
    {
      raw: { cluster: "c", service: "s", "keep-revisions": "-1" },
      message: 'input "keep-revisions"',
    },
    {
      raw: { cluster: "c", service: "s", rollback: "maybe" },
      message: 'input "rollback" must be true or false',
    },
    {
      raw: { cluster: "c", service: "s", "migration-container": "api" },
      message: 'needs "migration-command"',
    },
  ])("refuses $raw with a message naming it", ({ raw, message }) => {
    expect(() => parseDeployServiceInputs(raw)).toThrow(ConfigurationError);
    expect(() => parseDeployServiceInputs(raw)).toThrow(message);
  });
});
