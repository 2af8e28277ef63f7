/**
 * Steady user traffic: one API call every `1000 / rate` ms through the edge, whether or not the
 * previous ones have answered (users do not wait for each other), each recorded with the time it
 * was sent and how it ended. Windows of the run are cut from the records afterwards.
 */
export interface ProbeRecord {
  /** When the request was sent (ms since the epoch). */
  sentAt: number;
  /** The HTTP status, or 0 when no answer came (connection error, timeout). */
  status: number;
  /** The release that answered (the API's releaseId), when it answered 200. */
  release?: string;
}

export interface Probe {
  records: ProbeRecord[];
  stop(): Promise<ProbeRecord[]>;
}

export function startProbe(url: string, ratePerSecond: number, timeoutMs = 5_000): Probe {
  const records: ProbeRecord[] = [];
  const inFlight = new Set<Promise<void>>();
  const send = async () => {
    const record: ProbeRecord = { sentAt: Date.now(), status: 0 };
    records.push(record);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      const text = await response.text();
      record.status = response.status;
      if (response.status === 200) {
        record.release = (JSON.parse(text) as { releaseId?: string }).releaseId;
      }
    } catch {
      record.status = 0;
    }
  };
  const every = 1000 / ratePerSecond;
  const started = Date.now();
  let sent = 0;
  // Scheduled against the start time, not the last tick, so a slow event loop sends the calls it
  // owes at once instead of lowering the rate.
  const timer = setInterval(
    () => {
      const due = Math.floor((Date.now() - started) / every);
      for (; sent < due; sent += 1) {
        const request = send();
        inFlight.add(request);
        void request.finally(() => inFlight.delete(request));
      }
    },
    Math.max(5, Math.floor(every / 2)),
  );
  return {
    records,
    async stop() {
      clearInterval(timer);
      await Promise.all(inFlight);
      return records;
    },
  };
}

export const failed = (record: ProbeRecord) => record.status !== 200;

/** The records sent in [from, to). */
export const between = (records: ProbeRecord[], from: number, to: number) =>
  records.filter((record) => record.sentAt >= from && record.sentAt < to);

/** "12 of 340 (3.5%)" */
export function share(records: ProbeRecord[]): string {
  const bad = records.filter(failed).length;
  if (records.length === 0) return "no requests";
  return `${bad} of ${records.length} (${((100 * bad) / records.length).toFixed(1)}%)`;
}
