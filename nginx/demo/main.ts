// `npm run demo`: builds the sample stack and serves it on this machine until Ctrl-C.
// `npm run demo -- --once`: starts it, checks the page and the API through nginx,
// prints the result and exits (1 when a check fails).
// Options: --port <n> (default 8080, another free one when taken), --state-dir <dir>.
import { once as onceEvent } from "node:events";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { type Stack, startStack } from "./stack";
import { checkStack } from "./steps/check";

const repoDir = fileURLToPath(new URL("../..", import.meta.url));
const log = (line: string) => console.log(line);

class UsageError extends Error {}

interface DemoArgs {
  once: boolean;
  port: number;
  stateDir: string;
}

function parseDemoArgs(argv: string[]): DemoArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      once: { type: "boolean", default: false },
      port: { type: "string", default: "8080" },
      "state-dir": { type: "string", default: resolve(repoDir, ".state/demo") },
    },
  });
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port) || port > 65535) {
    throw new UsageError(`--port ${JSON.stringify(values.port)}: expected a port number (0-65535)`);
  }
  return { once: values.once, port, stateDir: resolve(values["state-dir"]) };
}

/**
 * The first Ctrl-C (or SIGTERM) aborts; later ones only say that stopping is under
 * way. The handlers stay installed: a second signal must not kill this process
 * while it is stopping its children.
 */
function stopOnSignals(): AbortController {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) return log(`${signal}: still stopping…`);
    log(`${signal}: stopping`);
    controller.abort(signal);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return controller;
}

async function checkOnce(stack: Stack): Promise<number> {
  const results = await checkStack({ url: stack.url, webRoot: stack.webRoot, proxy: stack.proxy });
  for (const result of results) log(`${result.ok ? "✓" : "✗"} ${result.what}: ${result.detail}`);
  const failed = results.filter((result) => !result.ok).length;
  if (failed > 0) {
    for (const running of stack.processes) {
      log(`last lines of ${running.name}:`);
      for (const line of running.lines.stderr.slice(-10)) log(`  ${line}`);
    }
  }
  log(failed === 0 ? `demo ok at ${stack.url}` : `demo failed: ${failed} check(s) failed`);
  return failed === 0 ? 0 : 1;
}

/** Serves until Ctrl-C (exit 0) or until a process ends on its own (exit 1). */
async function serve(stack: Stack, signal: AbortSignal): Promise<number> {
  log("");
  log(`shipline demo: ${stack.url}`);
  log(`  ${stack.url}             the SPA, from the edge (CloudFront's part)`);
  log(`  ${stack.url}api/version  the API, through the task's nginx`);
  log("Ctrl-C stops everything.");
  log("");
  const ended = await Promise.race([
    onceEvent(signal, "abort").then(() => undefined),
    stack.unexpectedExit,
  ]);
  if (ended === undefined) return 0;
  log(`stopping: ${ended}`);
  return 1;
}

async function main(): Promise<number> {
  const args = parseDemoArgs(process.argv.slice(2));
  const stopping = stopOnSignals();
  let stack: Stack;
  try {
    stack = await startStack({
      repoDir,
      stateDir: args.stateDir,
      port: args.port,
      log,
      showProcessOutput: !args.once,
      signal: stopping.signal,
    });
  } catch (error) {
    // Ctrl-C while starting: what had started is stopped already.
    if (!stopping.signal.aborted) throw error;
    log("stopped");
    return 0;
  }
  try {
    return args.once ? await checkOnce(stack) : await serve(stack, stopping.signal);
  } finally {
    await stack.stop();
    log("stopped");
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  },
);
