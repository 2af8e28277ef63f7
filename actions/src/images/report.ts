import type { Logger, SummaryTable } from "../lib/logger";
import { shortDigest } from "../oci/digest";
import type { BlobRole } from "./plan";

export type BlobOutcomeKind = "skipped" | "mounted" | "uploaded" | "would mount" | "would upload";

export interface BlobOutcome {
  role: BlobRole;
  digest: string;
  size: number;
  outcome: BlobOutcomeKind;
  /** The repository it was mounted from. */
  from?: string;
  /** Bytes sent for this blob (0 unless uploaded). */
  bytesUploaded: number;
}

export interface TagOutcome {
  tag: string;
  outcome: "pushed" | "unchanged" | "would push";
}

/** How one appended layer was obtained. */
export interface LayerOutcome {
  diffId: string;
  digest: string;
  /** The tag whose identical layer was reused as is (nothing compressed). */
  reusedFrom?: string;
  /** Gzip members copied from the previous layer / all members, when the layer was compressed. */
  membersCopied?: number;
  members?: number;
}

/** Everything build-image did, for outputs, the job summary and tests. */
export interface BuildImageResult {
  builder: "oci" | "buildah" | "docker";
  /** host/repository@digest: the way to reference exactly this image. */
  image: string;
  digest: string;
  host: string;
  repository: string;
  tags: TagOutcome[];
  /** Per blob; empty for the docker builder, which does not report them. */
  blobs: BlobOutcome[];
  base?: { name: string; digest: string };
  /** The appended layers, bottom first (oci builder). */
  layers?: LayerOutcome[];
  dryRun: boolean;
  durationMs: number;
  /** Time spent building (buildah builder), within durationMs. */
  buildMs?: number;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function uploadedBytes(result: BuildImageResult): number {
  return result.blobs.reduce((total, blob) => total + blob.bytesUploaded, 0);
}

export function buildImageTable(result: BuildImageResult): SummaryTable {
  return {
    title: `${result.dryRun ? "Plan for" : "Pushed"} ${result.host}/${result.repository}@${shortDigest(result.digest)} (${result.tags.map((tag) => `${tag.tag}: ${tag.outcome}`).join(", ")})`,
    headers: ["blob", "digest", "size", "outcome", "sent"],
    rows: result.blobs.map((blob) => [
      blob.role,
      shortDigest(blob.digest),
      formatBytes(blob.size),
      blob.from ? `${blob.outcome} from ${blob.from}` : blob.outcome,
      formatBytes(blob.bytesUploaded),
    ]),
  };
}

/** Step outputs (named as in action.yml) and the summary table. */
export async function reportBuildImage(result: BuildImageResult, logger: Logger): Promise<void> {
  const uploaded = result.blobs.filter((blob) => blob.outcome === "uploaded");
  logger.output("image", result.image);
  logger.output("digest", result.digest);
  logger.output("tags", result.tags.map((tag) => tag.tag).join(","));
  logger.output("uploaded-blobs", String(uploaded.length));
  logger.output("uploaded-bytes", String(uploadedBytes(result)));
  logger.output("blobs", JSON.stringify(result.blobs));
  if (result.blobs.length > 0) await logger.summary(buildImageTable(result));
  logger.info(
    `${result.dryRun ? "would push" : "pushed"} ${result.image} in ${result.durationMs} ms: ${uploaded.length} blob(s) uploaded, ${formatBytes(uploadedBytes(result))} sent`,
  );
}
