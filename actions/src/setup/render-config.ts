import { Document, isMap, isPair, isScalar } from "yaml";
import { parseConfig } from "../config/load";
import { ConfigurationError } from "../lib/errors";
import type { InitInputs } from "./inputs";
import type { FoundService } from "./read-service";

/**
 * The configuration file for a service as it runs now: its cluster, service and the containers
 * whose images come from this account's ECR (by repository), with comments saying what was found
 * and what is left to the team (how each image is built). Checked against the file's own schema
 * before it is returned, so init never writes a file deploy would refuse.
 */
export function renderConfig(found: FoundService, inputs: InitInputs): string {
  const rolled = found.containers.filter((container) => container.repository);
  if (rolled.length === 0) {
    throw new ConfigurationError(
      `no container of ${found.taskDefinition} runs an image from this account's ECR (${found.containers.map((c) => `${c.name}: ${c.image}`).join(", ")}): shipline rolls images it pushes to ECR`,
    );
  }
  const environment: Record<string, unknown> = {
    cluster: found.cluster,
    service: found.service,
    containers: Object.fromEntries(
      rolled.map((container) => [container.name, { repository: container.repository }]),
    ),
    bucket: inputs.bucket,
    ...(inputs["distribution-id"].length > 0 ? { distributions: inputs["distribution-id"] } : {}),
    ...(inputs.url ? { url: inputs.url } : {}),
    ...(inputs.web ? { web: inputs.web } : {}),
  };
  const document = new Document({
    version: 1,
    region: found.region,
    environments: { [inputs.environment]: environment },
  });
  document.commentBefore = [
    ` Written by \`shipline init\` from ${found.cluster}/${found.service} (${found.taskDefinition}).`,
    " Flags (or action inputs) override any value here.",
  ].join("\n");
  const settings = document.getIn(["environments", inputs.environment]);
  if (isMap(settings)) {
    const groups = found.targetGroups
      .map(
        (group) =>
          ` ${group.name} → ${group.container}:${group.port}${group.healthCheckPath ? ` (${group.healthCheckPath})` : ""}`,
      )
      .join("\n");
    commentKey(
      settings,
      "service",
      ` Rollouts are gated on the health of its targets in:\n${groups}`,
    );
    const containers = settings.get("containers", true);
    if (isMap(containers)) {
      for (const container of rolled) {
        commentKey(
          containers,
          container.name,
          ` Runs ${container.image} now.\n Say how it is built (builder, context, …) to build it on deploy, or deploy\n images built elsewhere with --images ${container.name}=<image@sha256:…>.`,
        );
      }
    }
    const others = found.containers.filter((container) => !container.repository);
    if (others.length > 0) {
      commentKey(
        settings,
        "bucket",
        others
          .map((c) => ` Not from this account's ECR, left as it is: ${c.name} (${c.image}).`)
          .join("\n"),
      );
    }
  }
  const text = document.toString({ lineWidth: 100 });
  parseConfig(text, inputs.config);
  return text;
}

function commentKey(map: import("yaml").YAMLMap, key: string, comment: string): void {
  const pair = map.items.find(
    (item) => isPair(item) && isScalar(item.key) && item.key.value === key,
  );
  if (pair && isScalar(pair.key)) pair.key.commentBefore = comment;
}
