import { open } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";

export interface FollowedFile {
  /** Reads what is left, then stops. */
  stop(): Promise<void>;
}

/** Like `tail -f`: calls onLine for each complete line appended to the file. */
export function followFile(path: string, onLine: (line: string) => void, intervalMs = 25) {
  let offset = 0;
  let partial = "";
  // Keeps a character split across two reads whole.
  const decoder = new StringDecoder("utf8");
  let reading: Promise<void> = Promise.resolve();

  const readNew = async () => {
    const file = await open(path, "r");
    try {
      for (;;) {
        const buffer = Buffer.alloc(64 * 1024);
        const { bytesRead } = await file.read(buffer, 0, buffer.length, offset);
        if (bytesRead === 0) break;
        offset += bytesRead;
        partial += decoder.write(buffer.subarray(0, bytesRead));
        const complete = partial.split("\n");
        partial = complete.pop() ?? "";
        for (const line of complete) onLine(line);
      }
    } finally {
      await file.close();
    }
  };
  // One read at a time, in order.
  const poll = () => {
    reading = reading.then(readNew).catch(() => {});
    return reading;
  };
  const timer = setInterval(poll, intervalMs);

  return {
    async stop() {
      clearInterval(timer);
      await poll();
      if (partial) onLine(partial);
      partial = "";
    },
  } satisfies FollowedFile;
}
