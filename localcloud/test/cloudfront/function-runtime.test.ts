import { describe, expect, it } from "vitest";
import {
  type FunctionOutcome,
  type KeyValueReader,
  runFunction,
} from "../../src/services/cloudfront/functions/function-runtime";

const store: KeyValueReader = {
  id: "0d2f3b5e-1111-4b7c-9c55-3a8f0e2d7a10",
  arn: "arn:aws:cloudfront::000000000000:key-value-store/0d2f3b5e-1111-4b7c-9c55-3a8f0e2d7a10",
  get: (key) => ({ current: "r7", config: '{"beta":true}' })[key],
  meta: () => ({
    creationDateTime: "2026-01-01T00:00:00.000Z",
    lastUpdatedDateTime: "2026-01-02T00:00:00.000Z",
    keyCount: 2,
  }),
};

const run = (code: string, event: unknown = { request: { uri: "/" } }): FunctionOutcome =>
  runFunction({
    code,
    runtime: "cloudfront-js-2.0",
    event,
    keyValueStores: [store],
    timeLimitMs: 250,
  });

const failure = (outcome: FunctionOutcome): string => (outcome.ok ? "" : outcome.message);

describe("the CloudFront Functions runtime", () => {
  it("reads the associated store with cf.kvs() in each format, by default or by id", () => {
    const outcome = run(`import cf from 'cloudfront';
async function handler(event) {
  const byDefault = cf.kvs();
  const byId = cf.kvs('${store.id}');
  const bytes = await byId.get('current', { format: 'bytes' });
  return {
    current: await byDefault.get('current'),
    json: await byDefault.get('config', { format: 'json' }),
    bytes: Array.from(bytes),
    exists: [await byDefault.exists('current'), await byDefault.exists('nope')],
    keys: (await byDefault.meta()).keyCount,
  };
}`);
    expect(outcome).toMatchObject({
      ok: true,
      output: {
        current: "r7",
        json: { beta: true },
        bytes: [...Buffer.from("r7")],
        exists: [true, false],
        keys: 2,
      },
    });
  });

  it("throws on a missing key and on a store that is not associated", () => {
    expect(
      failure(
        run(
          `import cf from 'cloudfront';\nasync function handler(e) { return cf.kvs().get('nope'); }`,
        ),
      ),
    ).toMatch(/key does not exist/);
    expect(
      failure(run(`import cf from 'cloudfront';\nfunction handler(e) { return cf.kvs('other'); }`)),
    ).toMatch(/not associated/);
  });

  it("gives the function nothing of the host: no process, modules, network or code generation", () => {
    const escapes = [
      "function handler(e) { return this.constructor.constructor('return process')(); }",
      "function handler(e) { return Object.getPrototypeOf(globalThis).constructor.constructor('return process')(); }",
      "function handler(e) { return require.constructor('return process')(); }",
      "function handler(e) { return console.log.constructor('return process')(); }",
      "import cf from 'cloudfront';\nfunction handler(e) { return cf.kvs().get.constructor('return process')(); }",
    ];
    for (const code of escapes) expect(failure(run(code)), code).toMatch(/EvalError/);
    expect(
      run(
        "function handler(e) { return [typeof process, typeof fetch, typeof setTimeout, typeof Buffer, typeof __bridge]; }",
      ),
    ).toMatchObject({
      output: ["undefined", "undefined", "undefined", "undefined", "undefined"],
    });
    expect(failure(run("function handler(e) { return require('fs'); }"))).toMatch(
      /Cannot find module 'fs'/,
    );
  });

  it("fails a function whose promise never settles, and one without a handler", () => {
    expect(failure(run("function handler(e) { return new Promise(() => {}); }"))).toMatch(
      /did not settle/,
    );
    expect(failure(run("var notAHandler = 1;"))).toMatch(/handler/);
  });

  it("keeps console output as logs and copies the event in rather than sharing it", () => {
    const event = { request: { uri: "/a" } };
    const outcome = run(
      "function handler(e) { console.log('uri', e.request.uri, { n: 1 }); e.request.uri = '/b'; return e.request; }",
      event,
    );
    expect(outcome).toMatchObject({ ok: true, output: { uri: "/b" }, logs: ['uri /a {"n":1}'] });
    expect(event.request.uri).toBe("/a");
  });
});
