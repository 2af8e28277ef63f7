import type { ECRClient } from "@aws-sdk/client-ecr";
import { openBaseSource } from "../images/oci-builder";
import { openTarget, type PushTarget } from "../images/target";
import { ConfigurationError, quote } from "../lib/errors";
import type { Logger } from "../lib/logger";
import { resolveBase } from "../oci/base";
import { missingCommand } from "../oci/command";
import type { PlannedImage } from "./plan";

export interface ImageCommandDeps {
  logger: Logger;
  ecr: () => ECRClient;
  fetch?: typeof fetch;
}

/**
 * Refuses, before the lock and any build, an image built by the oci builder that would have no
 * command to run (see missingCommand for what counts). The image's own cmd or entrypoint settle
 * it offline; otherwise its base's config is read: from a layout folder, or from its registry
 * (reads only, nothing is written) when `readRegistries`; a base left unread is not judged.
 * Images built from a Dockerfile (docker, buildah) get their command from it, at build time.
 */
export async function checkImageCommands(
  images: PlannedImage[],
  deps: ImageCommandDeps,
  options: { readRegistries: boolean },
): Promise<void> {
  const problems: string[] = [];
  for (const image of images) {
    if (image.source !== "build" || image.inputs.builder !== "oci") continue;
    const { inputs } = image;
    const own = { cmd: inputs.cmd, entrypoint: inputs.entrypoint };
    // Its own cmd or entrypoint: settled offline.
    if (missingCommand(own, undefined) === undefined) continue;
    const base = inputs["base-image"];
    if (!base || (base.kind === "registry" && !options.readRegistries)) continue;
    // Only a base in a registry needs the target's login (a base on the same registry).
    const target =
      base.kind === "registry"
        ? await openTarget(
            {
              repository: inputs.repository,
              ...(inputs.registry ? { registry: inputs.registry } : {}),
              ...(inputs["registry-username"] ? { username: inputs["registry-username"] } : {}),
              ...(inputs["registry-password"] ? { password: inputs["registry-password"] } : {}),
            },
            { logger: deps.logger, ecr: deps.ecr, ...(deps.fetch ? { fetch: deps.fetch } : {}) },
          )
        : undefined;
    const source = openBaseSource(base, target as PushTarget, deps.fetch, (secret) =>
      deps.logger.secret(secret),
    );
    const resolved = await resolveBase(source, base.reference, inputs.platform);
    const reason = missingCommand(own, resolved.config.config);
    if (reason) {
      problems.push(
        `container ${quote(image.container)}: the image has no command to run: ${reason}; give it one with "cmd" (e.g. cmd: ["node", "/app/server.mjs"]) or "entrypoint" in its containers entry`,
      );
    }
  }
  if (problems.length > 0) throw new ConfigurationError(problems.join("\n"));
}
