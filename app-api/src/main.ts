import { loadConfig } from "./config";
import { startServer } from "./server";
import { logLine } from "./startup-log";

/** The container's entry point (dist/server.mjs): configuration from the environment, signals. */
async function main(): Promise<void> {
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(loadConfig(process.env));
  } catch (error) {
    logLine("fatal", `cannot start: ${(error as Error).message}`, { error: (error as Error).name });
    process.exit(1);
  }

  // ECS sends SIGTERM, waits stopTimeout, then SIGKILL; a second signal means "now".
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) process.exit(1);
    signalled = true;
    server.log.info(`${signal}: draining in-flight requests`);
    server.stop().then(
      () => {
        server.log.info("stopped");
        process.exit(0);
      },
      (error: unknown) => {
        server.log.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}

void main();
