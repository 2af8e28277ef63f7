import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { ConfigurationError } from "../../src/lib/errors";
import { type Environment, servedByPointer } from "../../src/release/reality";
import { pointerOf } from "../../src/web/atomic-publish";
import { planAtomicRollback } from "../../src/web/atomic-rollback";
import { parsePublishWebInputs } from "../../src/web/inputs";
import type { ManifestFile, Release, SiteManifest } from "../../src/web/manifest";
import { previewHost, previewKey } from "../../src/web/preview-names";
import {
  assetRoutes,
  decodeLivePointer,
  encodeLivePointer,
  LIVE_KEY,
  ROUTER_CODE,
} from "../../src/web/release-router";

/**
 * CloudFront's documented limits on a function (CloudFront developer guide, "Restrictions on
 * CloudFront Functions" and "JavaScript runtime 2.0 features"): at most 10 KB of code, no network
 * or file system access, and the statements runtime 2.0 lists — ES 5.1's, plus const, let,
 * async and await (no for-of, classes, generators, optional chaining).
 */
const MAX_CODE_BYTES = 10 * 1024;
const STATEMENTS = new Set([
  ts.SyntaxKind.Block,
  ts.SyntaxKind.BreakStatement,
  ts.SyntaxKind.ContinueStatement,
  ts.SyntaxKind.DoStatement,
  ts.SyntaxKind.ExpressionStatement,
  ts.SyntaxKind.ForStatement,
  ts.SyntaxKind.ForInStatement,
  ts.SyntaxKind.FunctionDeclaration,
  ts.SyntaxKind.IfStatement,
  ts.SyntaxKind.ImportDeclaration,
  ts.SyntaxKind.LabeledStatement,
  ts.SyntaxKind.ReturnStatement,
  ts.SyntaxKind.SwitchStatement,
  ts.SyntaxKind.ThrowStatement,
  ts.SyntaxKind.TryStatement,
  ts.SyntaxKind.VariableStatement,
  ts.SyntaxKind.WhileStatement,
]);
const UNSUPPORTED = new Set([
  ts.SyntaxKind.ForOfStatement,
  ts.SyntaxKind.ClassDeclaration,
  ts.SyntaxKind.ClassExpression,
  ts.SyntaxKind.YieldExpression,
  ts.SyntaxKind.QuestionDotToken,
  ts.SyntaxKind.QuestionQuestionToken,
  ts.SyntaxKind.SpreadElement,
  ts.SyntaxKind.ObjectBindingPattern,
  ts.SyntaxKind.ArrayBindingPattern,
]);
/** Globals that reach outside the function, which CloudFront Functions do not have. */
const OUTSIDE = [
  "fetch",
  "XMLHttpRequest",
  "WebSocket",
  "require",
  "process",
  "setTimeout",
  "setInterval",
  "eval",
  "Function",
  "globalThis",
];

function nodesOf(code: string): ts.Node[] {
  const source = ts.createSourceFile("router.js", code, ts.ScriptTarget.ES2022, true);
  const nodes: ts.Node[] = [];
  const visit = (node: ts.Node) => {
    nodes.push(node);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return nodes;
}

function limitProblems(code: string): string[] {
  const problems: string[] = [];
  const bytes = new TextEncoder().encode(code).length;
  if (bytes > MAX_CODE_BYTES) problems.push(`${bytes} bytes`);
  for (const node of nodesOf(code)) {
    const kind = ts.SyntaxKind[node.kind] ?? String(node.kind);
    if (UNSUPPORTED.has(node.kind)) problems.push(kind);
    if (ts.isStatement(node) && !STATEMENTS.has(node.kind)) problems.push(kind);
    if (ts.isIdentifier(node) && OUTSIDE.includes(node.text)) problems.push(node.text);
    if (ts.isImportDeclaration(node)) {
      const from = (node.moduleSpecifier as ts.StringLiteral).text;
      if (from !== "cloudfront") problems.push(`import ${from}`);
    }
    if (ts.isFunctionDeclaration(node) && node.asteriskToken) problems.push("generator");
  }
  return problems;
}

describe("the release router's code", () => {
  it("stays within CloudFront's documented limits for cloudfront-js-2.0", () => {
    expect(limitProblems(ROUTER_CODE)).toEqual([]);
    expect(new TextEncoder().encode(ROUTER_CODE).length).toBeLessThan(2048);
  });

  it("the check itself catches what CloudFront refuses", () => {
    expect(limitProblems("for (const a of []) {}")).toContain("ForOfStatement");
    expect(limitProblems("async function handler(e) { await fetch('x'); }")).toContain("fetch");
    expect(limitProblems("import http from 'http';")).toContain("import http");
    expect(limitProblems("class A {}")).toContain("ClassDeclaration");
    expect(limitProblems("const a = b?.c;")).toContain("QuestionDotToken");
    expect(limitProblems(`var s = "${"x".repeat(MAX_CODE_BYTES)}";`)).toHaveLength(1);
  });
});

/** localcloud's CloudFront Functions runtime (isolated context, runtime 2.0's event and limits). */
type Outcome =
  | { ok: true; output: Record<string, unknown> }
  | { ok: false; failure: string; message: string };
async function runRouter(store: Record<string, string>, uri: string, host?: string) {
  const { runFunction } = (await import(
    /* @vite-ignore */ join(
      import.meta.dirname,
      "../../../localcloud/src/services/cloudfront/functions/function-runtime.ts",
    )
  )) as { runFunction(options: unknown): Outcome };
  const arn =
    "arn:aws:cloudfront::000000000000:key-value-store/0d2f3b5e-1111-4b7c-9c55-3a8f0e2d7a10";
  const outcome = runFunction({
    code: ROUTER_CODE,
    runtime: "cloudfront-js-2.0",
    event: {
      version: "1.0",
      context: {
        eventType: "viewer-request",
        distributionDomainName: "d111111abcdef8.cloudfront.net",
      },
      viewer: { ip: "192.0.2.1" },
      request: {
        method: "GET",
        uri,
        querystring: {},
        headers: host === undefined ? {} : { host: { value: host } },
        cookies: {},
      },
    },
    keyValueStores: [
      {
        id: arn.split("/")[1],
        arn,
        get: (key: string) => store[key],
        meta: () => ({
          creationDateTime: "2026-01-01T00:00:00.000Z",
          lastUpdatedDateTime: "2026-01-01T00:00:00.000Z",
          keyCount: Object.keys(store).length,
        }),
      },
    ],
    timeLimitMs: 250,
  });
  if (!outcome.ok) throw new Error(`the router failed: ${outcome.message}`);
  return outcome.output as { uri?: string; statusCode?: number; body?: string };
}

describe("the release router's host mapping, in localcloud's function runtime", () => {
  const pointer = (release: string) => JSON.stringify({ release, assets: ["/assets/"] });
  const store = {
    [LIVE_KEY]: pointer("r9"),
    [previewKey(previewHost(7, "preview.example.test"))]: pointer("pr-7-abc-1"),
    [previewKey(previewHost(8, "preview.example.test"))]: pointer("pr-8-def-1"),
  };

  it("sends each preview host to its own release, and every other host to production's", async () => {
    const uri = async (path: string, host?: string) => (await runRouter(store, path, host)).uri;
    expect(await uri("/", "pr-7.preview.example.test")).toBe("/releases/pr-7-abc-1/index.html");
    // Viewers name a port off the standard ones; CloudFront's Host is matched without it.
    expect(await uri("/about", "PR-8.Preview.Example.Test:8443")).toBe(
      "/releases/pr-8-def-1/index.html",
    );
    expect(await uri("/docs/", "pr-8.preview.example.test")).toBe(
      "/releases/pr-8-def-1/docs/index.html",
    );
    expect(await uri("/assets/app.0123456789.js", "pr-7.preview.example.test")).toBe(
      "/assets/app.0123456789.js",
    );
    expect(await uri("/", "www.example.com")).toBe("/releases/r9/index.html");
    expect(await uri("/", "d111111abcdef8.cloudfront.net")).toBe("/releases/r9/index.html");
    expect(await uri("/robots.txt")).toBe("/releases/r9/robots.txt");
  });

  it("answers 404 at a preview host with no key (closed, or another domain), never production", async () => {
    for (const host of ["pr-9.preview.example.test", "pr-7.www.example.com"]) {
      const output = await runRouter(store, "/", host);
      expect(output.uri).toBeUndefined();
      expect(output.statusCode).toBe(404);
    }
    // Without any pointer yet, production's requests go through unchanged.
    expect((await runRouter({}, "/index.html", "www.example.com")).uri).toBe("/index.html");
  });
});

describe("the live pointer", () => {
  it("leaves hashed assets to their shared keys: whole folders where no release file is", () => {
    expect(
      assetRoutes(
        ["assets/app.1.js", "assets/app.2.css", "assets/img/logo.3.png", "main.4.js"],
        ["index.html", "robots.txt", "docs/index.html"],
      ),
    ).toEqual(["/assets/", "/main.4.js"]);
    expect(assetRoutes(["docs/chart.5.js"], ["docs/index.html"])).toEqual(["/docs/chart.5.js"]);
    expect(assetRoutes(["x.js"], ["x.js"])).toEqual([]);
  });

  it("is refused before anything changes when it does not fit a store value", () => {
    const assets = Array.from({ length: 80 }, (_, i) => `/chunk-${i}.0123456789.js`);
    expect(() => encodeLivePointer({ release: "r1", assets })).toThrow(ConfigurationError);
    const value = encodeLivePointer({ release: "r1", assets: ["/assets/"] });
    expect(decodeLivePointer(value)).toEqual({ release: "r1", assets: ["/assets/"] });
    expect(decodeLivePointer("r1")).toBeUndefined();
  });

  const file = (role: ManifestFile["role"], sha = "a".repeat(64)): ManifestFile => ({
    sha256: sha,
    size: 1,
    contentType: "text/html",
    cacheControl: "no-cache",
    role,
  });
  const release = (id: string, asset: string): Release => ({
    releaseId: id,
    publishedAt: "2026-01-01T00:00:00Z",
    files: {
      [`releases/${id}/index.html`]: file("entry"),
      [asset]: file("immutable"),
    },
  });

  it("of a release lists the assets of every kept release (old tabs)", () => {
    const r2 = release("r2", "assets/b.js");
    const r1 = release("r1", "legacy.1.js");
    expect(pointerOf(r2, [r1], "")).toEqual({
      release: "r2",
      assets: ["/assets/", "/legacy.1.js"],
    });
  });

  it("a rollback goes to a kept release and only to one", () => {
    const manifest: SiteManifest = {
      format: "shipline.web/1",
      prefix: "",
      live: release("r3", "assets/c.js"),
      history: [release("r2", "assets/b.js"), release("r1", "assets/a.js")],
      pendingDeletes: [],
    };
    const plan = planAtomicRollback(manifest, "previous", "2026-02-01T00:00:00Z");
    expect(plan.target).toBe("r2");
    expect(plan.manifest.live.releaseId).toBe("r2");
    expect(plan.manifest.history.map((r) => r.releaseId)).toEqual(["r3", "r1"]);
    expect(planAtomicRollback(manifest, "r1", "now").pointer.release).toBe("r1");
    expect(() => planAtomicRollback(manifest, "r0", "now")).toThrow(/not one of the kept/);
    // A release published in web-mode invalidate has no folder to point at.
    const before: Release = {
      releaseId: "r0",
      publishedAt: "2025-12-01T00:00:00Z",
      files: { "index.html": file("entry"), "assets/z.js": file("immutable") },
    };
    const mixed = { ...manifest, history: [...manifest.history, before] };
    expect(() => planAtomicRollback(mixed, "r0", "now")).toThrow(/before web-mode atomic/);
  });
});

describe("web-mode atomic's inputs and reconciliation", () => {
  it("needs its store, named as an ARN or a name, and derives the router's name", () => {
    const raw = { source: "dist", bucket: "www.example.com", "web-mode": "atomic" };
    expect(() => parsePublishWebInputs(raw)).toThrow(/input "key-value-store" is required/);
    expect(() => parsePublishWebInputs({ ...raw, "key-value-store": "no spaces" })).toThrow(
      /input "key-value-store" "no spaces"/,
    );
    const parsed = parsePublishWebInputs({ ...raw, "key-value-store": "site-live" });
    expect(parsed["edge-function"]).toBe("shipline-www-example-com");
    expect(parsePublishWebInputs({ source: "dist", bucket: "b12" })["web-mode"]).toBe("invalidate");
    expect(() => parsePublishWebInputs({ ...raw, "web-mode": "swap" })).toThrow(/web-mode/);
  });

  it("counts as served only the release the store's pointer names", async () => {
    const served = {
      "releases/r1/index.html": "a",
      "releases/r2/index.html": "b",
      "index.html": "c",
    };
    const environment = {
      site: { bucket: "b", prefix: "", ledgerPrefix: ".shipline/" },
      liveWebRelease: async () => "r2",
    } as unknown as Environment;
    expect(await servedByPointer(served, environment)).toEqual({
      "releases/r2/index.html": "b",
      "index.html": "c",
    });
    const invalidateMode = { site: environment.site } as unknown as Environment;
    expect(await servedByPointer(served, invalidateMode)).toEqual(served);
  });
});
