import type { Tag, TaskDefinition } from "@aws-sdk/client-ecs";
import { quote } from "../lib/errors";
import {
  type RenderChanges,
  renderTaskDefinition,
  type TaskDefinitionBody,
} from "../service/render";
import type { TaskDefinitionFile } from "./model";

/**
 * The containers of the file checked against the release's images (pure): every container the
 * release has an image for is in the file, and every other container of the file names its own
 * image. Problems as `<file>: <JSON path>: <what is wrong>`.
 */
export function checkFileContainers(file: TaskDefinitionFile, released: string[]): string[] {
  const containers = file.body.containerDefinitions ?? [];
  const names = containers.map((container) => container.name ?? "");
  const problems: string[] = [];
  for (const name of released) {
    if (!names.includes(name)) {
      problems.push(
        `task definition file ${file.path}: containerDefinitions: has no container ${quote(name)}, which the release has an image for (the file's containers: ${names.map((n) => quote(n)).join(", ")})`,
      );
    }
  }
  for (const container of containers) {
    if (!container.image && !released.includes(container.name ?? "")) {
      problems.push(
        `task definition file ${file.path}: containerDefinitions[${container.name}].image: is missing, and the release has no image for container ${quote(container.name)} (give the image here, or add the container to containers or images)`,
      );
    }
  }
  return problems;
}

/** The file as a task definition, its family the live one's when it names none. */
export function fileDefinition(file: TaskDefinitionFile, live: TaskDefinition): TaskDefinition {
  const { tags: _tags, ...body } = structuredClone(file.body);
  return { ...body, family: body.family ?? live.family } as TaskDefinition;
}

/**
 * The revision a release registers from a file: the file as it is, with the release's images
 * (by digest) and environment overrides. Pure.
 */
export function renderFromFile(
  file: TaskDefinitionFile,
  live: TaskDefinition,
  changes: RenderChanges,
): TaskDefinitionBody {
  return renderTaskDefinition(fileDefinition(file, live), changes);
}

/** The file's own tags, as the release adds its own to them. */
export function fileTags(file: TaskDefinitionFile | undefined): Record<string, string> {
  return Object.fromEntries(
    (file?.body.tags ?? []).flatMap((tag: Tag) => (tag.key ? [[tag.key, tag.value ?? ""]] : [])),
  );
}
