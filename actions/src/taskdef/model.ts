import type { Tag } from "@aws-sdk/client-ecs";
import type { TaskDefinitionBody } from "../service/render";

/** A task definition file, parsed and checked: what a release registers, but the images. */
export interface TaskDefinitionFile {
  /** The path as the user gave it (named in every message about the file). */
  path: string;
  /** Its content; family may be missing (the live service's family is used then). */
  body: Omit<TaskDefinitionBody, "family"> & { family?: string; tags?: Tag[] };
}
