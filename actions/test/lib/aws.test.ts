import { ECSClient } from "@aws-sdk/client-ecs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createClient, DEFAULT_MAX_ATTEMPTS } from "../../src/lib/aws";

afterEach(() => vi.unstubAllEnvs());

const attemptsOf = async (client: ECSClient) => client.config.maxAttempts();

describe("the SDK's retry settings", () => {
  it("AWS_MAX_ATTEMPTS raises (or lowers) the attempts per call", async () => {
    vi.stubEnv("AWS_MAX_ATTEMPTS", "9");
    expect(await attemptsOf(createClient(ECSClient, { region: "eu-west-1" }))).toBe(9);
    vi.stubEnv("AWS_MAX_ATTEMPTS", "2");
    expect(await attemptsOf(createClient(ECSClient, { region: "eu-west-1" }))).toBe(2);
  });

  it("shipline's default only when nothing is set, and an explicit setting wins", async () => {
    vi.stubEnv("AWS_MAX_ATTEMPTS", "");
    vi.stubEnv("AWS_CONFIG_FILE", "/nonexistent");
    expect(await attemptsOf(createClient(ECSClient, { region: "eu-west-1" }))).toBe(
      DEFAULT_MAX_ATTEMPTS,
    );
    vi.stubEnv("AWS_MAX_ATTEMPTS", "9");
    expect(await attemptsOf(createClient(ECSClient, { region: "eu-west-1", maxAttempts: 3 }))).toBe(
      3,
    );
  });

  it("AWS_RETRY_MODE is left to the SDK", async () => {
    vi.stubEnv("AWS_RETRY_MODE", "adaptive");
    const client = createClient(ECSClient, { region: "eu-west-1" });
    const strategy = (await client.config.retryStrategy()) as { mode?: string };
    expect(strategy.mode).toBe("adaptive");
  });
});
