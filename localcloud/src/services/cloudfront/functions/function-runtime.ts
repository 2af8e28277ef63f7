import { createContext, Script } from "node:vm";
import type { FunctionRuntime } from "./function-store";

/** What a function may read from its associated key value store (looked up in-process). */
export interface KeyValueReader {
  id: string;
  arn: string;
  get(key: string): string | undefined;
  meta(): { creationDateTime: string; lastUpdatedDateTime: string; keyCount: number };
}

export interface FunctionRun {
  /** The function's source text. */
  code: string;
  runtime: FunctionRuntime;
  /** The event object (plain data: it is copied into the function's context as JSON). */
  event: unknown;
  keyValueStores: KeyValueReader[];
  /** Wall-clock budget for the whole run, awaits included; the run is stopped when it is spent. */
  timeLimitMs: number;
}

export type FunctionOutcome =
  | { ok: true; output: unknown; logs: string[]; elapsedMs: number; cpuMs: number }
  | {
      ok: false;
      /** `execution`: the code threw or returned nothing usable; `limit`: it ran out of time. */
      failure: "execution" | "limit";
      message: string;
      logs: string[];
      /** Wall-clock time of the function's own code. */
      elapsedMs: number;
      /** CPU time the thread spent on it: what a compute limit is about. */
      cpuMs: number;
    };

/** CloudFront's quota on a function's code. */
export const MAX_FUNCTION_CODE_BYTES = 10 * 1024;
/** Function logs are cut at 10 KB, as CloudFront cuts them. */
const MAX_LOG_BYTES = 10 * 1024;

/**
 * Runtime 2.0 code starts with `import cf from 'cloudfront';`. node:vm scripts have no ES
 * module syntax without an experimental flag, so each such import becomes the `require` of the
 * same module, on the same line (line numbers in errors stay right).
 */
const IMPORT_LINE = /^(\s*)import\s+([A-Za-z_$][\w$]*)\s+from\s+(['"])([\w-]+)\3\s*;?/gm;

export const scriptSource = (code: string, runtime: FunctionRuntime): string =>
  runtime === "cloudfront-js-2.0"
    ? code.replace(IMPORT_LINE, (_all, indent: string, name: string, _q, module: string) => {
        return `${indent}var ${name} = require(${JSON.stringify(module)});`;
      })
    : code;

/** Compiles the code as CloudFront checks it on CreateFunction/UpdateFunction; the error text or undefined. */
export const compileError = (code: string, runtime: FunctionRuntime): string | undefined => {
  try {
    new Script(scriptSource(code, runtime), { filename: "function.js" });
    return undefined;
  } catch (error) {
    return String((error as Error).message ?? error);
  }
};

/**
 * The function's world, built inside its own context so nothing it touches belongs to
 * localcloud's realm: `console` (collected into logs), `require` of the `cloudfront` module only
 * (no node modules, no network, no file system), and `cf.kvs()` reading the associated stores
 * through a bridge that stays hidden in this closure.
 */
const BOOTSTRAP = `(function (bridge) {
  var logs = [];
  var size = 0;
  function write() {
    var parts = [];
    for (var i = 0; i < arguments.length; i++) {
      var item = arguments[i];
      parts.push(typeof item === "string" ? item : JSON.stringify(item));
    }
    var line = parts.join(" ");
    size += line.length;
    if (size <= ${MAX_LOG_BYTES}) logs.push(line);
  }
  globalThis.console = { log: write, info: write, warn: write, error: write, debug: write };
  function handleFor(id) {
    return {
      get: async function (key, options) {
        var raw = bridge.get(id, String(key));
        if (raw === undefined) throw new Error("KVS key does not exist");
        var format = (options && options.format) || "string";
        if (format === "json") return JSON.parse(raw);
        if (format === "bytes") return new Uint8Array(bridge.bytes(raw));
        return raw;
      },
      exists: async function (key) {
        return bridge.get(id, String(key)) !== undefined;
      },
      meta: async function () {
        return JSON.parse(bridge.meta(id));
      },
    };
  }
  var cloudfront = {
    kvs: function (id) {
      var resolved = bridge.resolve(id === undefined ? "" : String(id));
      if (resolved === undefined) {
        throw new Error("The key value store " + (id === undefined ? "" : id + " ") + "is not associated with this function");
      }
      return handleFor(resolved);
    },
  };
  globalThis.require = function (name) {
    if (name === "cloudfront" && bridge.kvsAllowed) return cloudfront;
    throw new Error("Cannot find module '" + name + "'");
  };
  globalThis.__functionLogs = function () { return JSON.stringify(logs); };
})(__bridge);
delete globalThis.__bridge;`;

/** Runs `handler(event)` and settles its promise inside the same timed evaluation. */
const INVOKE = `(function () {
  globalThis.__outcome = undefined;
  if (typeof handler !== "function") {
    globalThis.__outcome = JSON.stringify({ error: "The function code must define a function named handler" });
    return;
  }
  function settle(value) {
    try {
      globalThis.__outcome = JSON.stringify({ value: value === undefined ? null : value });
    } catch (e) {
      globalThis.__outcome = JSON.stringify({ error: "The function returned a value that is not an object: " + String(e) });
    }
  }
  function fail(e) {
    // String(e), not e.stack: formatting a stack calls into the host's stack-trace hooks.
    globalThis.__outcome = JSON.stringify({ error: String(e) });
  }
  try {
    Promise.resolve(handler(JSON.parse(__event))).then(settle, fail);
  } catch (e) {
    fail(e);
  }
})();`;

const compiled = new Map<string, Script>();
const INVOKE_SCRIPT = new Script(INVOKE, { filename: "invoke.js" });
const BOOTSTRAP_SCRIPT = new Script(BOOTSTRAP, { filename: "cloudfront.js" });

const scriptFor = (code: string, runtime: FunctionRuntime): Script => {
  const cacheKey = `${runtime}\n${code}`;
  let script = compiled.get(cacheKey);
  if (!script) {
    script = new Script(scriptSource(code, runtime), { filename: "function.js" });
    if (compiled.size > 200) compiled.clear();
    compiled.set(cacheKey, script);
  }
  return script;
};

/**
 * Runs a CloudFront function once, in a fresh node:vm context: no `require` of Node modules, no
 * `process`, no `fetch`, no timers, no code generation from strings (`eval`, `new Function`
 * throw), and a time limit covering its top level, its handler and every await (microtasks run
 * inside the timed evaluation). Key value store reads are in-process and synchronous underneath,
 * so a function's awaits settle within that evaluation.
 */
export const runFunction = (run: FunctionRun): FunctionOutcome => {
  let wallLimitMs = run.timeLimitMs;
  for (let attempt = 1; ; attempt++) {
    const outcome = runOnce(run, wallLimitMs);
    // The watchdog measures wall-clock time. A run stopped while it mostly waited for a CPU (a
    // busy machine) rather than using one is not the function's fault: it is run again with more
    // time. A loop uses the CPU all along and is stopped.
    const starved =
      !outcome.ok && outcome.failure === "limit" && outcome.cpuMs < run.timeLimitMs / 2;
    if (!starved || attempt === 3) return outcome;
    wallLimitMs *= 2;
  }
};

const runOnce = (run: FunctionRun, wallLimitMs: number): FunctionOutcome => {
  // Reset once the context is built: the budget and the reported time are the function's own.
  let started = performance.now();
  let cpuStarted = process.threadCpuUsage();
  const stores = new Map(run.keyValueStores.map((store) => [store.id, store]));
  const bridge = {
    kvsAllowed: run.runtime === "cloudfront-js-2.0",
    resolve: (id: string): string | undefined => {
      if (id === "") return run.keyValueStores.length === 1 ? run.keyValueStores[0]?.id : undefined;
      return run.keyValueStores.find((store) => store.id === id || store.arn === id)?.id;
    },
    get: (id: string, key: string): string | undefined => stores.get(id)?.get(key),
    bytes: (value: string): number[] => [...Buffer.from(value, "utf8")],
    meta: (id: string): string => JSON.stringify(stores.get(id)?.meta() ?? {}),
  };
  // A prototype-less sandbox: the context's global then inherits only from its own realm, so
  // `this.constructor.constructor` is the context's Function (which cannot compile strings),
  // not localcloud's.
  const sandbox = Object.create(null) as Record<string, unknown>;
  sandbox.__bridge = bridge;
  sandbox.__event = JSON.stringify(run.event);
  const context = createContext(sandbox, {
    codeGeneration: { strings: false, wasm: false },
    microtaskMode: "afterEvaluate",
  });
  // Both times are taken once, when the function's code stops running.
  let measured: { elapsedMs: number; cpuMs: number } | undefined;
  const measure = () => {
    if (!measured) {
      const used = process.threadCpuUsage(cpuStarted);
      measured = {
        elapsedMs: Math.round((performance.now() - started) * 1000) / 1000,
        cpuMs: Math.round(used.user + used.system) / 1000,
      };
    }
    return measured;
  };
  const elapsed = () => measure().elapsedMs;
  const cpu = () => measure().cpuMs;
  const logs = (): string[] => {
    try {
      return JSON.parse(String(context.__functionLogs?.() ?? "[]")) as string[];
    } catch {
      return [];
    }
  };
  try {
    BOOTSTRAP_SCRIPT.runInContext(context);
    started = performance.now();
    cpuStarted = process.threadCpuUsage();
    const remaining = () => Math.max(1, Math.floor(wallLimitMs - (performance.now() - started)));
    scriptFor(run.code, run.runtime).runInContext(context, { timeout: remaining() });
    INVOKE_SCRIPT.runInContext(context, { timeout: remaining() });
    measure();
  } catch (error) {
    measure();
    const timedOut = (error as NodeJS.ErrnoException).code === "ERR_SCRIPT_EXECUTION_TIMEOUT";
    return {
      ok: false,
      failure: timedOut ? "limit" : "execution",
      message: timedOut
        ? `The function exceeded its time limit of ${run.timeLimitMs} ms and was stopped`
        : String((error as Error)?.message ?? error),
      logs: logs(),
      elapsedMs: elapsed(),
      cpuMs: cpu(),
    };
  }
  const outcome = context.__outcome as string | undefined;
  if (outcome === undefined) {
    return {
      ok: false,
      failure: "execution",
      message: "The function's promise did not settle (it awaited something that never resolves)",
      logs: logs(),
      elapsedMs: elapsed(),
      cpuMs: cpu(),
    };
  }
  const parsed = JSON.parse(outcome) as { value?: unknown; error?: string };
  if (parsed.error !== undefined) {
    return {
      ok: false,
      failure: "execution",
      message: parsed.error,
      logs: logs(),
      elapsedMs: elapsed(),
      cpuMs: cpu(),
    };
  }
  return { ok: true, output: parsed.value, logs: logs(), elapsedMs: elapsed(), cpuMs: cpu() };
};
