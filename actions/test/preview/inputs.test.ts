import { execFile } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { environmentInputs } from "../../src/config/environment";
import { parseConfig } from "../../src/config/load";
import type { RawInputs } from "../../src/lib/inputs";
import { previewEnvironmentInputs } from "../../src/preview/config-inputs";
import { parsePreviewInputs, previewBasePath } from "../../src/preview/inputs";
import { REPO_ROOT } from "../helpers/fixtures";

const HOST: RawInputs = {
  bucket: "www-example",
  "web-mode": "atomic",
  "key-value-store": "www-example-releases",
  "preview-domain": "Example-Preview.com.",
  "pull-request": "7",
  source: "dist",
};

const refusal = (raw: RawInputs): string => {
  try {
    parsePreviewInputs(raw, "abc1234-5");
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected the inputs to be refused");
};

describe("a preview's inputs", () => {
  it("in web-mode atomic: a release of the site at pr-<n>.<domain>, with a ledger folder of its own", () => {
    const inputs = parsePreviewInputs(HOST, "abc1234-5");
    expect(inputs).toMatchObject({
      mode: "host",
      domain: "example-preview.com",
      ledgerPrefix: ".shipline/",
    });
    expect(inputs.publish).toMatchObject({
      prefix: "",
      "web-mode": "atomic",
      "ledger-prefix": ".shipline/previews/pr-7/",
      "release-id": "pr-7-abc1234-5",
      url: "https://pr-7.example-preview.com",
    });
    expect(previewBasePath(inputs)).toBe("/");
    // The scheme and port of a given URL are kept (a test edge's, say).
    expect(parsePreviewInputs({ ...HOST, url: "http://127.0.0.1:8080" }, "r").publish.url).toBe(
      "http://pr-7.example-preview.com:8080",
    );
  });

  it("in web-mode invalidate: under previews/pr-<n>/, built with that base path", () => {
    const { "preview-domain": _, ...path } = HOST;
    const inputs = parsePreviewInputs({ ...path, "web-mode": "invalidate" }, "abc1234-5");
    expect(inputs.mode).toBe("path");
    expect(inputs.publish.prefix).toBe("previews/pr-7/");
    expect(previewBasePath(inputs)).toBe("/previews/pr-7/");
  });

  it("refuses a domain without web-mode atomic, atomic without a domain, and a bad domain", () => {
    expect(refusal({ ...HOST, "web-mode": "invalidate" })).toMatch(
      /"preview-domain" needs web-mode atomic/,
    );
    expect(refusal({ ...HOST, "preview-domain": "" })).toMatch(
      /"preview-domain" is required with web-mode atomic/,
    );
    expect(refusal({ ...HOST, "preview-domain": "pr_7.example" })).toMatch(
      /"preview-domain" "pr_7.example" is not a domain name/,
    );
    expect(refusal({ ...HOST, "key-value-store": "" })).toMatch(/"key-value-store" is required/);
  });

  it("comes from the configuration file's environment: preview.domain", () => {
    const config = parseConfig(
      `version: 1
environments:
  production:
    cluster: c
    service: s
    containers: { api: { repository: shipline/api } }
    bucket: www-example
    web: { source: dist, mode: atomic, key-value-store: www-example-releases }
    preview: { domain: example-preview.com }
`,
      "shipline.yml",
    );
    expect(environmentInputs(config, "production", "shipline.yml")).toMatchObject({
      "preview-domain": "example-preview.com",
      "web-mode": "atomic",
    });
    expect(() =>
      parseConfig(
        `version: 1
environments:
  production:
    cluster: c
    service: s
    containers: { api: { repository: shipline/api } }
    bucket: www-example
    preview: { domain: "https://example-preview.com" }
`,
        "shipline.yml",
      ),
    ).toThrow(/preview\.domain: expected a lower-case domain name/);
  });
});

describe("shipline preview base-path (the committed bundle)", () => {
  it("prints / for the environment's host previews and the preview path otherwise", async () => {
    const dir = await mkdtemp(join(tmpdir(), "preview-base-"));
    const config = (web: string) => `version: 1
environments:
  production:
    cluster: c
    service: s
    containers: { api: { repository: shipline/api } }
    bucket: www-example
    distributions: [E2QWRUHAPOMQZL]
    web: ${web}
    preview: { domain: example-preview.com }
  staging:
    cluster: c
    service: s
    containers: { api: { repository: shipline/api } }
    bucket: www-example-staging
`;
    await writeFile(
      join(dir, "atomic.yml"),
      config("{ source: dist, mode: atomic, key-value-store: www-example-releases }"),
    );
    await writeFile(join(dir, "plain.yml"), config("dist"));
    const basePath = async (file: string, environment = "production") => {
      const run = promisify(execFile);
      const { stdout } = await run(
        process.execPath,
        [
          join(REPO_ROOT, "actions/dist/shipline.mjs"),
          "preview",
          "base-path",
          "--pull-request",
          "7",
        ],
        {
          cwd: dir,
          env: {
            PATH: process.env.PATH ?? "",
            SHIPLINE_CONFIG: join(dir, file),
            SHIPLINE_ENVIRONMENT: environment,
          },
        },
      );
      return stdout.trim();
    };
    expect(await basePath("atomic.yml")).toBe("/");
    expect(await basePath("atomic.yml", "staging")).toBe("/previews/pr-7/");
    // A preview domain with web-mode invalidate is the configuration's mistake: exit 4.
    await expect(basePath("plain.yml")).rejects.toMatchObject({ code: 4 });

    // The site's distributions serve host previews (on hosts of their own), never previews
    // under a path, which would be same-origin with the site.
    const fromFile = (file: string) =>
      previewEnvironmentInputs({ SHIPLINE_CONFIG: join(dir, file) });
    expect(await fromFile("atomic.yml")).toMatchObject({
      bucket: "www-example",
      "distribution-id": "E2QWRUHAPOMQZL",
      "preview-domain": "example-preview.com",
    });
    expect((await fromFile("plain.yml"))["distribution-id"]).toBeUndefined();
  });
});
