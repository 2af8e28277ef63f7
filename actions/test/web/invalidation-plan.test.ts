import { describe, expect, it } from "vitest";
import {
  callerReference,
  planInvalidation,
  urlPath,
  viewerPaths,
} from "../../src/web/invalidation-plan";

describe("invalidation paths", () => {
  it.each([
    { key: "index.html", paths: ["/index.html", "/"] },
    { key: "docs/index.html", paths: ["/docs/index.html", "/docs/"] },
    { key: "robots.txt", paths: ["/robots.txt"] },
    { key: "a b/ü*.html", paths: ["/a%20b/%C3%BC%2A.html"] },
  ])("$key → $paths", ({ key, paths }) => {
    expect(viewerPaths(key)).toEqual(paths);
  });

  it("strips the distribution's origin path", () => {
    expect(urlPath("site/index.html", "site/")).toBe("/index.html");
  });
});

const site = (n: number, folder = "docs") =>
  Array.from({ length: n }, (_, i) => `${folder}/page-${i}.html`);

describe("planInvalidation", () => {
  it.each([
    {
      name: "the entry point only: both / and /index.html",
      changed: ["index.html"],
      siteKeys: ["index.html", "assets/a.js"],
      paths: ["/", "/index.html"],
    },
    {
      name: "nothing changed: no paths",
      changed: [],
      siteKeys: ["index.html"],
      paths: [],
    },
    {
      name: "a whole folder changed: one wildcard is cheaper",
      changed: site(5),
      siteKeys: [...site(5), "index.html"],
      paths: ["/docs/*"],
    },
    {
      name: "part of a folder changed: a wildcard would purge more than it saves",
      changed: site(3),
      siteKeys: [...site(8), "index.html"],
      paths: ["/docs/page-0.html", "/docs/page-1.html", "/docs/page-2.html"],
    },
    {
      name: "a folder's page and its index: /docs/ and /docs/index.html stay exact for two paths",
      changed: ["docs/index.html"],
      siteKeys: ["docs/index.html", "docs/a.html"],
      paths: ["/docs/", "/docs/index.html"],
    },
    {
      name: "never collapses over hashed assets that did not change",
      changed: ["index.html", "404.html"],
      siteKeys: ["index.html", "404.html", "assets/a.js", "assets/b.js"],
      paths: ["/", "/404.html", "/index.html"],
    },
  ])("$name", ({ changed, siteKeys, paths }) => {
    expect(planInvalidation({ changedKeys: changed, siteKeys }).paths).toEqual(paths);
  });

  it("stays within the file-path limit by collapsing the least harmful folders", () => {
    const changed = [...site(20, "a"), ...site(20, "b"), ...site(3, "c")];
    const rootAssets = Array.from({ length: 100 }, (_, i) => `asset-${i}.js`);
    const siteKeys = [
      ...changed,
      ...site(40, "a").slice(20),
      ...site(40, "b").slice(20),
      ...rootAssets,
    ];
    const plan = planInvalidation({ changedKeys: changed, siteKeys, maxFilePaths: 10 });
    expect(plan.paths.filter((p) => !p.endsWith("*")).length).toBeLessThanOrEqual(10);
    // c/ changed entirely (a wildcard is simply cheaper); a/ and b/ are collapsed to fit; the
    // root is not, as it would purge the 100 unchanged assets there too.
    expect(plan.paths).toEqual(["/a/*", "/b/*", "/c/*"]);
  });

  it("falls back to one site-wide wildcard when folders cannot fit the wildcard limit", () => {
    const changed = Array.from({ length: 6 }, (_, i) => site(2, `f${i}`)).flat();
    const plan = planInvalidation({
      changedKeys: changed,
      siteKeys: changed,
      maxFilePaths: 3,
      maxWildcards: 2,
    });
    expect(plan.paths).toEqual(["/*"]);
  });

  it("is deterministic", () => {
    const input = { changedKeys: [...site(9)].reverse(), siteKeys: site(12) };
    expect(planInvalidation(input)).toEqual(planInvalidation({ ...input, changedKeys: site(9) }));
  });
});

describe("callerReference", () => {
  it("is the same for the same release and paths in any order, different otherwise", () => {
    const a = callerReference("r1", ["/", "/index.html"]);
    expect(callerReference("r1", ["/index.html", "/"])).toBe(a);
    expect(callerReference("r2", ["/", "/index.html"])).not.toBe(a);
    expect(callerReference("r1", ["/"])).not.toBe(a);
    expect(a).toMatch(/^shipline-r1-[0-9a-f]{16}$/);
  });
});
