import { runCli } from "./program";

// `shipline <command> [flags]`; run() has set process.exitCode by the time this resolves.
await runCli(process.argv.slice(2));
