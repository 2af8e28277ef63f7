import { quickAnswer } from "./quick";

// `shipline <command> [flags]`; run() has set process.exitCode by the time this resolves.
if ((await quickAnswer(process.argv.slice(2), process.env)) === undefined) {
  // The program (commander and every command) loads only for what quick.ts leaves to it.
  await (await import("./program")).runCli(process.argv.slice(2));
}
