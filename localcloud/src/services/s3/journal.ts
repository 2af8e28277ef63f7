import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
  writeSync,
} from "node:fs";

/**
 * An append-only log of JSON lines: each change is one small synchronous append, so a write costs
 * the same with ten objects or ten thousand, and a change is on disk before the client hears of
 * it. Loading replays the lines and rewrites the file compactly.
 */
export class Journal<Entry> {
  /** Kept open for appends: reopening the file for every change costs more than the write. */
  private fd: number | undefined;

  constructor(private readonly path: string) {}

  /** Replays every stored entry (a torn last line from a crash is skipped). */
  load(apply: (entry: Entry) => void): void {
    if (!existsSync(this.path)) return;
    for (const line of readFileSync(this.path, "utf8").split("\n")) {
      if (line.trim() === "") continue;
      try {
        apply(JSON.parse(line) as Entry);
      } catch {
        // An incomplete final line: the change it described was never acknowledged.
      }
    }
  }

  append(entry: Entry): void {
    this.fd ??= openSync(this.path, "a");
    writeSync(this.fd, `${JSON.stringify(entry)}\n`);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** Replaces the log with the given entries (the current state), atomically. */
  rewrite(entries: Iterable<Entry>): void {
    const lines: string[] = [];
    for (const entry of entries) lines.push(JSON.stringify(entry));
    const temp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temp, lines.length > 0 ? `${lines.join("\n")}\n` : "");
    this.close();
    renameSync(temp, this.path);
  }
}
