import { join } from "node:path";
import type { ECRClient } from "@aws-sdk/client-ecr";
import { pushLayoutImage } from "../images/layout-push";
import { openTarget } from "../images/target";
import type { Logger } from "../lib/logger";
import { LayoutSource } from "../oci/source";
import { type ImageChange, parseImageChange } from "../service/inputs";

/**
 * Pushes the images a pull request's build job wrote without credentials (one OCI layout per
 * container, in `<folder>/<container>`) to each container's ECR repository, tagged `tag`, and
 * returns them by digest. Only image bytes cross from the untrusted job: nothing of it runs here.
 */
export async function pushPreviewImages(
  folder: string,
  containers: Record<string, string>,
  tag: string,
  deps: { ecr: () => ECRClient; logger: Logger; dryRun: boolean },
): Promise<ImageChange[]> {
  const images: ImageChange[] = [];
  for (const [container, repository] of Object.entries(containers)) {
    const target = await openTarget({ repository }, { ecr: deps.ecr, logger: deps.logger });
    const pushed = await pushLayoutImage(
      {
        source: new LayoutSource(join(folder, container)),
        reference: "",
        tags: [tag],
        mountFrom: [],
        dryRun: deps.dryRun,
      },
      target,
      deps.logger,
    );
    deps.logger.info(`preview image ${container}: ${target.host}/${repository}@${pushed.digest}`);
    images.push(parseImageChange(`${container}=${target.host}/${repository}@${pushed.digest}`));
  }
  return images;
}
