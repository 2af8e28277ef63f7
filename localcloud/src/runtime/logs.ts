import { createInterface } from "node:readline";
import type { Readable } from "node:stream";

export interface LogLine {
  /** Milliseconds since the epoch, when the line was read: CloudWatch's event timestamp. */
  timestamp: number;
  stream: "stdout" | "stderr";
  message: string;
}

/** Keeps the last `limit` lines of a container's output and passes each line on as it comes. */
export class LogBuffer {
  private readonly lines: LogLine[] = [];
  private readonly closed: Promise<void>[] = [];

  constructor(
    private readonly limit = 10_000,
    private readonly onLine?: (line: LogLine) => void,
  ) {}

  follow(source: Readable, stream: LogLine["stream"]): void {
    const reader = createInterface({ input: source, crlfDelay: Number.POSITIVE_INFINITY });
    reader.on("line", (message) => this.add({ timestamp: Date.now(), stream, message }));
    this.closed.push(new Promise((resolve) => reader.once("close", () => resolve())));
  }

  /** Resolves once every followed stream has ended and its last line is in. */
  async drained(): Promise<void> {
    await Promise.all(this.closed);
  }

  add(line: LogLine): void {
    this.lines.push(line);
    if (this.lines.length > this.limit) this.lines.shift();
    this.onLine?.(line);
  }

  all(): LogLine[] {
    return [...this.lines];
  }
}
