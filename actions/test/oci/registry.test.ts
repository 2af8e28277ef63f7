import { describe, expect, it } from "vitest";
import { ConfigurationError } from "../../src/lib/errors";
import { parseChallenge } from "../../src/oci/auth";
import { sha256Digest } from "../../src/oci/digest";
import { RegistryClient, RegistryError, registryEndpoint } from "../../src/oci/registry";

interface Call {
  url: string;
  method: string;
  authorization?: string;
}

/** A registry that wants Bearer tokens from a token service, as Docker Hub and GHCR do. */
function bearerRegistry() {
  const calls: Call[] = [];
  const fake: typeof fetch = async (input, init) => {
    const url = String(input);
    const headers = new Headers(init?.headers);
    calls.push({
      url,
      method: init?.method ?? "GET",
      authorization: headers.get("authorization") ?? undefined,
    });
    if (url.startsWith("https://auth.example/token")) {
      const basic = `Basic ${Buffer.from("u:p").toString("base64")}`;
      if (headers.get("authorization") !== basic) return new Response("", { status: 401 });
      return Response.json({ token: `tok:${new URL(url).searchParams.getAll("scope").join("+")}` });
    }
    if (!headers.get("authorization")?.startsWith("Bearer tok:")) {
      return new Response("", {
        status: 401,
        headers: {
          "www-authenticate":
            'Bearer realm="https://auth.example/token",service="registry.example"',
        },
      });
    }
    return new Response(null, { status: 200, headers: { "content-length": "42" } });
  };
  return { calls, fake };
}

describe("RegistryClient auth", () => {
  it("does the Bearer token dance with the scopes of the request and reuses the token", async () => {
    const { calls, fake } = bearerRegistry();
    const client = new RegistryClient({
      registry: "registry.example",
      credentials: { username: "u", password: "p" },
      fetch: fake,
    });
    expect(await client.headBlob("team/app", "sha256:x")).toBe(42);
    expect(await client.headBlob("team/app", "sha256:y")).toBe(42);
    const tokenCalls = calls.filter((call) => call.url.startsWith("https://auth.example"));
    expect(tokenCalls).toHaveLength(1);
    expect(new URL(tokenCalls[0]?.url ?? "").searchParams.get("scope")).toBe(
      "repository:team/app:pull",
    );
    expect(new URL(tokenCalls[0]?.url ?? "").searchParams.get("service")).toBe("registry.example");
    expect(calls.at(-1)?.authorization).toBe("Bearer tok:repository:team/app:pull");
  });

  it("says the credentials were rejected when the token service refuses them", async () => {
    const { fake } = bearerRegistry();
    const client = new RegistryClient({
      registry: "registry.example",
      credentials: { username: "u", password: "wrong" },
      fetch: fake,
    });
    await expect(client.headBlob("team/app", "sha256:x")).rejects.toThrow(ConfigurationError);
  });

  it("checks the manifest digest the registry reports", async () => {
    const bytes = Buffer.from('{"schemaVersion":2}');
    const fake: typeof fetch = async () =>
      new Response(null, {
        status: 201,
        headers: { "docker-content-digest": `sha256:${"0".repeat(64)}` },
      });
    const client = new RegistryClient({ registry: "127.0.0.1:1", fetch: fake });
    await expect(
      client.putManifest("r", "t", {
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        bytes,
        digest: sha256Digest(bytes),
      }),
    ).rejects.toThrow(RegistryError);
  });
});

describe("helpers", () => {
  it("parses challenges", () => {
    expect(
      parseChallenge('Bearer realm="https://a/token",service="s",scope="repository:x:pull"'),
    ).toEqual({
      scheme: "bearer",
      params: { realm: "https://a/token", service: "s", scope: "repository:x:pull" },
    });
    expect(parseChallenge('Basic realm="registry"')).toEqual({
      scheme: "basic",
      params: { realm: "registry" },
    });
  });

  it("uses http only for loopback registries", () => {
    expect(registryEndpoint("127.0.0.1:5000")).toEqual({
      host: "127.0.0.1:5000",
      baseUrl: "http://127.0.0.1:5000",
    });
    expect(registryEndpoint("123.dkr.ecr.eu-west-1.amazonaws.com")).toEqual({
      host: "123.dkr.ecr.eu-west-1.amazonaws.com",
      baseUrl: "https://123.dkr.ecr.eu-west-1.amazonaws.com",
    });
    expect(registryEndpoint("http://localhost:4566/")).toEqual({
      host: "localhost:4566",
      baseUrl: "http://localhost:4566",
    });
  });
});
