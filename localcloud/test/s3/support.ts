import { S3Client } from "@aws-sdk/client-s3";
import type { Localcloud } from "../../src/index";
import { clientConfig } from "../helpers/cloud";

/** An SDK v3 S3 client for a test cloud (path-style, as localcloud's endpoint is an IP). */
export const s3Client = (
  cloud: Localcloud,
  overrides: Partial<ConstructorParameters<typeof S3Client>[0]> = {},
) => new S3Client({ ...clientConfig(cloud), forcePathStyle: true, ...overrides });

let counter = 0;
/** A bucket name unique within a test run. */
export const uniqueBucket = (label: string): string =>
  `${label}-${process.pid}-${Date.now().toString(36)}-${++counter}`;
