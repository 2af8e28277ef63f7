import type { S3Client } from "@aws-sdk/client-s3";
import type { Logger } from "../lib/logger";
import type { ApplySettings } from "./apply";
import { listObjects } from "./bucket-listing";
import { mapLimited } from "./concurrency";
import type { PublishPlan } from "./plan";
import { transferFile } from "./transfer";

/**
 * Sites sharing a bucket's hashed assets (production and its host previews) each delete the
 * files of their own dropped releases that no other site's recorded releases keep. A publish that
 * found an asset already there did not send it, and its release is recorded only once it is live:
 * another site removing that asset in between (a preview removed as its pull request merges,
 * while production publishes the same build) would leave the release pointing at a missing file.
 *
 * Right before the switch, one listing per folder of the files this publish did not send shows
 * whether they are still there; a file gone is sent again. Returns the ETags of what was resent.
 * Without a lock shared by every site, a removal landing between this listing and the switch is
 * still possible; this narrows that window from the whole publish to one listing.
 */
export async function resendVanished(
  s3: S3Client,
  plan: PublishPlan,
  settings: ApplySettings,
  logger: Logger,
): Promise<Map<string, string>> {
  const skipped = plan.files.filter((file) => file.action === "skip");
  const etags = new Map<string, string>();
  if (skipped.length === 0) return etags;
  const folders = [...new Set(skipped.map((file) => folderOf(file.key)))];
  const present = new Set<string>();
  for (const folder of folders) {
    const listed = await listObjects(s3, settings.bucket, folder, { delimiter: "/" });
    for (const key of listed.keys()) present.add(key);
  }
  const vanished = skipped.filter((file) => !present.has(file.key));
  if (vanished.length === 0) return etags;
  logger.warning(
    `${vanished.length} file(s) this release uses were removed while it was being published (by another site sharing the bucket); sending them again: ${vanished
      .slice(0, 5)
      .map((file) => file.key)
      .join(", ")}${vanished.length > 5 ? ", …" : ""}`,
  );
  await mapLimited(vanished, settings.concurrency, async (file) => {
    const sent = await transferFile(s3, { ...file, action: "upload" }, settings);
    if (sent.etag) etags.set(file.key, sent.etag);
  });
  return etags;
}

/** The folder a key is in, with its trailing slash ("" at the bucket's root). */
function folderOf(key: string): string {
  const slash = key.lastIndexOf("/");
  return slash < 0 ? "" : key.slice(0, slash + 1);
}
