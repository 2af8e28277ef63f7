import type { ServiceFactory } from "../service";
import { createS3Service } from "./service";

export type { StoredObject } from "./model";
export type { S3Service } from "./service";

/** S3 (REST-XML, path-style and virtual-hosted), with bodies on disk under the state folder. */
export const s3Service: ServiceFactory = {
  name: "s3",
  create: (context) => createS3Service(context),
};
