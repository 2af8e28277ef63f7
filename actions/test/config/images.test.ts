import { describe, expect, it } from "vitest";
import { containerBuilds, environmentInputs } from "../../src/config/environment";
import { parseConfig } from "../../src/config/load";
import { parseBuildImageInputs } from "../../src/images/inputs";
import { ConfigurationError } from "../../src/lib/errors";
import { parseDeployInputs } from "../../src/release/inputs";

/** An application of one's own: its images and its site, described in the file alone. */
const file = (containers: string, web = "web: dist") => `
version: 1
region: eu-west-1
environments:
  production:
    cluster: shop
    service: web
    containers:
${containers}
    bucket: shop-site
    ${web}
`;

const PYTHON_API = `
      api:
        repository: shop/api
        context: api/build
        base-image: registry.example/base/python@sha256:${"c".repeat(64)}
        destination: /srv
        workdir: /srv
        cmd: [python3, -m, shop.server, --port, "8000"]
        user: 1000
        ports: [8000]
        env: { PORT: 8000, SHOP_MODE: production }
        labels: { team: shop }
        layers: ["*.whl", "vendor/**"]`;

/** The typed build-image inputs of one container, as deploy plans its build. */
function buildInputs(text: string, container: string) {
  const builds = containerBuilds(parseConfig(text, "shipline.yml"), "production");
  return parseBuildImageInputs({ ...builds[container], tags: "r1" });
}

function refusal(text: string): string {
  try {
    parseConfig(text, "shipline.yml");
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as Error).message;
  }
  throw new Error("expected the configuration to be refused");
}

describe("images described in the configuration", () => {
  it("an oci image of one's own (port 8000, its command) resolves to those build inputs", () => {
    const inputs = buildInputs(file(PYTHON_API), "api");
    expect(inputs).toMatchObject({
      builder: "oci",
      repository: "shop/api",
      region: "eu-west-1",
      context: "api/build",
      destination: "/srv",
      workdir: "/srv",
      cmd: ["python3", "-m", "shop.server", "--port", "8000"],
      user: "1000",
      ports: ["8000"],
      env: { PORT: "8000", SHOP_MODE: "production" },
      labels: { team: "shop" },
      layers: [["*.whl"], ["vendor/**"]],
      "base-image": {
        kind: "registry",
        repository: "base/python",
        reference: `sha256:${"c".repeat(64)}`,
      },
    });
    expect(inputs.entrypoint).toBeUndefined();
  });

  it("a command in words is taken as words, an entrypoint as given", () => {
    const inputs = buildInputs(
      file(
        PYTHON_API.replace(
          /cmd: .*/,
          'cmd: "gunicorn -b 0.0.0.0:8000 shop:app"\n        entrypoint: [tini, --]',
        ),
      ),
      "api",
    );
    expect(inputs.cmd).toEqual(["gunicorn", "-b", "0.0.0.0:8000", "shop:app"]);
    expect(inputs.entrypoint).toEqual(["tini", "--"]);
  });

  const DOCKERFILE_IMAGE = (builder: string) =>
    file(`
      web:
        repository: shop/web
        builder: ${builder}
        context: web
        dockerfile: web/Containerfile
        target: runtime
        build-args: { NODE_VERSION: 24, WITH_DOCS: false }
        labels: { team: shop }`);

  it("a docker image: its Dockerfile, stage and build arguments", () => {
    expect(buildInputs(DOCKERFILE_IMAGE("docker"), "web")).toMatchObject({
      builder: "docker",
      context: "web",
      dockerfile: "web/Containerfile",
      target: "runtime",
      "build-args": { NODE_VERSION: "24", WITH_DOCS: "false" },
      labels: { team: "shop" },
    });
  });

  it("a buildah image: the same build inputs, for the buildah builder", () => {
    const builds = containerBuilds(parseConfig(DOCKERFILE_IMAGE("buildah"), "f"), "production");
    expect(builds.web).toMatchObject({
      builder: "buildah",
      context: "web",
      dockerfile: "web/Containerfile",
      target: "runtime",
      "build-args": "NODE_VERSION=24\nWITH_DOCS=false",
      labels: "team=shop",
    });
  });

  it("nothing is assumed: a container with only a repository has no command, port or folder", () => {
    const inputs = buildInputs(
      file("      api: { repository: shop/api, base-image: b/node:1 }"),
      "api",
    );
    expect(inputs.cmd).toBeUndefined();
    expect(inputs.ports).toEqual([]);
    expect(inputs.env).toEqual({});
    expect(inputs.context).toBe(".");
  });

  it("refuses a setting the builder would not read, and an unknown builder, naming the line", () => {
    const message = refusal(
      file(`
      api:
        repository: shop/api
        builder: docker
        cmd: [node, server.mjs]
        ports: [8000]
      web:
        repository: shop/web
        dockerfile: Dockerfile
      job:
        repository: shop/job
        builder: kaniko`),
    );
    expect(message).toMatch(
      /^shipline\.yml:\d+: environments\.production\.containers\.api\.cmd: is not read by builder docker/m,
    );
    expect(message).toMatch(/containers\.api\.ports: is not read by builder docker/);
    expect(message).toMatch(/containers\.web\.dockerfile: is not read by builder oci/);
    expect(message).toMatch(/containers\.job\.builder: .*"oci".*"docker".*"buildah"/);
  });

  it("refuses the old preset key: the file describes the image", () => {
    expect(refusal(file("      api: { repository: shop/api, preset: api }"))).toMatch(
      /containers\.api: unknown key "preset"/,
    );
  });

  it("refuses a bad port, a multi-line value and an env name with '='", () => {
    const message = refusal(
      file(`
      api:
        repository: shop/api
        ports: [70000]
        env: { "A=B": x, C: "one\\ntwo" }`),
    );
    expect(message).toMatch(/containers\.api\.ports\.0: /);
    expect(message).toMatch(/containers\.api\.env: key "A=B"/);
    expect(message).toMatch(/containers\.api\.env\.C: expected a value on one line/);
  });
});

describe("web settings in the configuration", () => {
  it("a folder alone, or the folder with its immutable, cache-control and content-type rules", () => {
    const plain = environmentInputs(parseConfig(file(PYTHON_API), "f"), "production", "f");
    expect(parseDeployInputs(plain)).toMatchObject({
      source: "dist",
      immutable: [],
      "cache-control": {},
    });
    const text = file(
      PYTHON_API,
      `web:
      source: site/out
      immutable: ["static/**", "fonts/*.woff2"]
      cache-control: { "*.json": "public, max-age=60", "**/*.txt": no-store }
      content-type: { "**/*.webmanifest": application/manifest+json }`,
    );
    const inputs = parseDeployInputs(environmentInputs(parseConfig(text, "f"), "production", "f"));
    expect(inputs).toMatchObject({
      source: "site/out",
      immutable: ["static/**", "fonts/*.woff2"],
      "cache-control": { "*.json": "public, max-age=60", "**/*.txt": "no-store" },
      "content-type": { "**/*.webmanifest": "application/manifest+json" },
    });
    expect(Object.keys(inputs["cache-control"])).toEqual(["*.json", "**/*.txt"]);
  });
});
