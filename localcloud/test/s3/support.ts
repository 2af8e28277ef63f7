import { S3Client } from "@aws-sdk/client-s3";
import type { Localcloud, LocalcloudOptions } from "../../src/index";
import { s3Service } from "../../src/services/s3";
import { clientConfig, startTestCloud } from "../helpers/cloud";

/** A test cloud running only S3, so these tests depend on nothing else being built. */
export const startS3Cloud = (options: Partial<LocalcloudOptions> = {}) =>
  startTestCloud({ services: [s3Service], ...options });

/** An SDK v3 S3 client for a test cloud (path-style, as localcloud's endpoint is an IP). */
export const s3Client = (
  cloud: Localcloud,
  overrides: Partial<ConstructorParameters<typeof S3Client>[0]> = {},
) => new S3Client({ ...clientConfig(cloud), forcePathStyle: true, ...overrides });

let counter = 0;
/** A bucket name unique within a test run. */
export const uniqueBucket = (label: string): string =>
  `${label}-${process.pid}-${Date.now().toString(36)}-${++counter}`;

export type S3TestCloud = Awaited<ReturnType<typeof startS3Cloud>>;
