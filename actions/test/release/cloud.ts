import { join } from "node:path";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { REPO_ROOT } from "../helpers/fixtures";

/**
 * localcloud with S3 only, for the ledger and lock tests. Loaded by path at run time so the
 * toolkit never depends on localcloud's sources; the shapes used are declared here.
 */
export interface S3Cloud {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  requestLog: {
    lastSeq: number;
    list(filter?: { sinceSeq?: number; service?: string; operation?: string }): {
      operation: string;
      path: string;
      status: number;
      fault?: string;
    }[];
  };
  /** Fault injection (localcloud/src/server/faults.ts). */
  faults: {
    add(rule: {
      service: string;
      operation?: string;
      kind: "throttle" | "error" | "latency" | "reset";
      count?: number;
    }): number;
    clear(): void;
  };
  dispose(): Promise<void>;
}

async function load<T>(path: string): Promise<T> {
  return (await import(/* @vite-ignore */ join(REPO_ROOT, path))) as T;
}

export async function startS3Cloud(): Promise<S3Cloud> {
  const helpers = await load<{ startTestCloud(options: unknown): Promise<S3Cloud> }>(
    "localcloud/test/helpers/cloud.ts",
  );
  const { stsService } = await load<{ stsService: unknown }>("localcloud/src/services/sts.ts");
  const { s3Service } = await load<{ s3Service: unknown }>("localcloud/src/services/s3/index.ts");
  return helpers.startTestCloud({ services: [stsService, s3Service] });
}

export function s3Of(cloud: S3Cloud): S3Client {
  return new S3Client({
    endpoint: cloud.endpoint,
    region: cloud.region,
    credentials: cloud.credentials,
    forcePathStyle: true,
    // Conflicts must reach shipline's own handling, not be hidden by SDK retries.
    maxAttempts: 1,
  });
}

export async function createBucket(cloud: S3Cloud, bucket: string): Promise<void> {
  await s3Of(cloud).send(new CreateBucketCommand({ Bucket: bucket }));
}
