import type { RawInputs } from "../lib/inputs";
import type { Logger } from "../lib/logger";
import { parseImageReference } from "../oci/reference";
import type { ServiceClients } from "../service/clients";
import { readCurrentService } from "../service/current";
import type { ImageChange } from "../service/inputs";
import { bodyOf, renderTaskDefinition } from "../service/render";
import { diffTaskDefinitions, formatChange } from "../taskdef/diff";
import { renderFromFile } from "../taskdef/render";
import type { DiffInputs } from "./diff-inputs";
import {
  environmentOverrides,
  type PlannedImage,
  planImages,
  planTaskDefinitionFile,
  type ReleasePlan,
} from "./plan";
import { releaseIdOf, runContext } from "./record";

/** What a release would change in its service's task definition, compared with the live one. */
export interface TaskDefinitionDiff {
  cluster: string;
  service: string;
  liveArn: string;
  /** The task definition file the new revision is made from, when the environment names one. */
  file?: string;
  /** One line per changed field: `containerDefinitions[api].memory: 512 → 1024`. */
  changes: string[];
}

/**
 * Reads the live task definition (read-only calls) and renders the revision the plan would
 * register. Images still to be built have no digest yet: they show as what the release builds.
 */
export async function releaseTaskDefinitionDiff(
  plan: Pick<ReleasePlan, "images"> & {
    service: Pick<
      ReleasePlan["service"],
      "cluster" | "service" | "environment" | "taskDefinitionFile"
    >;
  },
  clients: ServiceClients,
): Promise<TaskDefinitionDiff> {
  const { cluster, service } = plan.service;
  const current = await readCurrentService(clients, cluster, service);
  const live = current.taskDefinition;
  const changes = {
    images: plan.images.map(imageOf) as ImageChange[],
    environment: plan.service.environment,
  };
  const file = plan.service.taskDefinitionFile;
  const next = file ? renderFromFile(file, live, changes) : renderTaskDefinition(live, changes);
  return {
    cluster,
    service,
    liveArn: live.taskDefinitionArn ?? "",
    ...(file ? { file: file.path } : {}),
    changes: diffTaskDefinitions(bodyOf(live), next).map(formatChange),
  };
}

/** The image a container will run: known for given and copied images, to be built otherwise. */
function imageOf(image: PlannedImage): Pick<ImageChange, "container" | "image"> {
  if (image.source === "given") return image.change;
  if (image.source === "copy") {
    // A promotion copies within one registry, by digest.
    const registry = parseImageReference(image.from.uri).registry;
    return {
      container: image.container,
      image: `${registry}/${image.repository}@${image.from.digest}`,
    };
  }
  return {
    container: image.container,
    image: `(built by the release: ${image.inputs.repository}:${image.inputs.tags[0] ?? ""}, pinned by digest)`,
  };
}

/**
 * `shipline diff`: plans the parts of a release that shape the new revision (images, environment,
 * the task definition file, all checked as deploy checks them) and prints what registering it
 * would change, field by field. Read-only.
 */
export async function showTaskDefinitionDiff(
  inputs: DiffInputs,
  builds: Record<string, RawInputs>,
  deps: { clients: ServiceClients; logger: Logger; env: NodeJS.ProcessEnv; now: number },
): Promise<TaskDefinitionDiff> {
  const context = runContext(deps.env, deps.now);
  const releaseId = releaseIdOf(context, inputs["release-id"]);
  const images = planImages(inputs, builds, deps.env, context, releaseId);
  const taskDefinitionFile = await planTaskDefinitionFile(inputs, images);
  const diff = await releaseTaskDefinitionDiff(
    {
      images,
      service: {
        cluster: inputs.cluster,
        service: inputs.service,
        environment: environmentOverrides(inputs, releaseId),
        ...(taskDefinitionFile ? { taskDefinitionFile } : {}),
      },
    },
    deps.clients,
  );
  const source = diff.file
    ? `${diff.file} with the release's images`
    : "the running revision with the release's images";
  deps.logger.info(
    `${diff.cluster}/${diff.service}: ${source}, against ${diff.liveArn}: ${diff.changes.length === 0 ? "no change" : `${diff.changes.length} changed field(s)`}`,
  );
  for (const line of diff.changes) deps.logger.info(`  ${line}`);
  return diff;
}
