import { Writable } from "node:stream";
import type { RawInputs } from "../../src/lib/inputs";
import { TerminalLogger } from "../../src/lib/logger";
import { parsePublishWebInputs } from "../../src/web/inputs";
import { publishWeb } from "../../src/web/publish-web";
import type { PublishResult } from "../../src/web/report";
import { cloudFrontOf, s3Of, type WebCloud } from "./cloud";

/** A logger that keeps its lines, for assertions and for failure messages. */
export function memoryLogger(): { logger: TerminalLogger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).trimEnd().split("\n"));
      done();
    },
  });
  return { logger: new TerminalLogger({ out: sink, err: sink }), lines };
}

/** Runs publish-web against the cloud, as the CLI would, with shortened CloudFront timings. */
export async function publish(
  cloud: WebCloud,
  raw: RawInputs,
): Promise<PublishResult & { log: string[] }> {
  const { logger, lines } = memoryLogger();
  const result = await publishWeb(parsePublishWebInputs(raw), {
    logger,
    s3: s3Of(cloud, { maxAttempts: 5 }),
    cloudfront: () => cloudFrontOf(cloud, { maxAttempts: 5 }),
    invalidationTimings: { backoffMs: 50, maxBackoffMs: 200, pollMs: 50 },
  });
  return { ...result, log: lines };
}
