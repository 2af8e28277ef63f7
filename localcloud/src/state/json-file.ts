import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * A JSON document persisted atomically (write to a temp file, then rename), so a crash never
 * leaves half a state file and data survives a stop/start with the same state folder.
 */
export class JsonFile<T> {
  private value: T;

  constructor(
    private readonly path: string,
    initial: () => T,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    try {
      this.value = JSON.parse(readFileSync(path, "utf8")) as T;
    } catch {
      this.value = initial();
    }
  }

  get data(): T {
    return this.value;
  }

  /** Applies a change and writes it through. */
  update<R>(change: (data: T) => R): R {
    const result = change(this.value);
    this.save();
    return result;
  }

  save(): void {
    const temp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(this.value));
    renameSync(temp, this.path);
  }
}
