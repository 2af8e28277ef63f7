/**
 * A pino-shaped JSON line for the moments before the HTTP server's logger exists (bad
 * configuration) or outside it (the migrate task), so every line the process writes parses alike.
 */
export function logLine(level: "info" | "error" | "fatal", msg: string, extra: object = {}): void {
  const numeric = { info: 30, error: 50, fatal: 60 }[level];
  const line = JSON.stringify({ level: numeric, time: Date.now(), ...extra, msg });
  if (numeric >= 50) process.stderr.write(`${line}\n`);
  else process.stdout.write(`${line}\n`);
}
