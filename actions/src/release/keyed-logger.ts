import type { Logger } from "../lib/logger";

/**
 * A logger whose lines start with a service's key: several services roll at once, and their
 * gates' lines interleave. Everything else (groups, outputs, summaries, secrets) is the parent's.
 */
export function keyedLogger(parent: Logger, key: string): Logger {
  const tag = (message: string) => `[${key}] ${message}`;
  return {
    info: (message) => parent.info(tag(message)),
    warning: (message) => parent.warning(tag(message)),
    error: (message) => parent.error(tag(message)),
    debug: (message) => parent.debug(tag(message)),
    group: (name, fn) => parent.group(tag(name), fn),
    secret: (value) => parent.secret(value),
    output: (name, value) => parent.output(name, value),
    summary: (table) => parent.summary(table),
    fail: (message) => parent.fail(message),
  };
}
