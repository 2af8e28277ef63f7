/** One call as localcloud saw it: what tests and benchmarks count. */
export interface RequestLogEntry {
  seq: number;
  time: string;
  service: string;
  operation: string;
  method: string;
  path: string;
  status: number;
  errorCode?: string;
  latencyMs: number;
  bytesIn: number;
  bytesOut: number;
  /** Set when the call's answer came from an injected fault. */
  fault?: string;
}

/** In-memory, bounded log of every call (API, registry, edge). */
export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private seq = 0;

  constructor(private readonly limit = 200_000) {}

  record(entry: Omit<RequestLogEntry, "seq" | "time">): RequestLogEntry {
    const full = { seq: ++this.seq, time: new Date().toISOString(), ...entry };
    this.entries.push(full);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
    return full;
  }

  /** Entries after `sinceSeq`, optionally for one service / operation. */
  list(
    filter: { sinceSeq?: number; service?: string; operation?: string } = {},
  ): RequestLogEntry[] {
    return this.entries.filter(
      (e) =>
        e.seq > (filter.sinceSeq ?? 0) &&
        (filter.service === undefined || e.service === filter.service) &&
        (filter.operation === undefined || e.operation === filter.operation),
    );
  }

  /** The sequence number of the latest entry: take it before an action, list after it. */
  get lastSeq(): number {
    return this.seq;
  }

  clear(): void {
    this.entries = [];
  }
}
