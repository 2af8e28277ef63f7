import {
  type CloudFrontClient,
  CreateFunctionCommand,
  DescribeFunctionCommand,
  type FunctionConfig,
  GetDistributionCommand,
  GetDistributionConfigCommand,
  GetFunctionCommand,
  PublishFunctionCommand,
  UpdateDistributionCommand,
  UpdateFunctionCommand,
} from "@aws-sdk/client-cloudfront";
import { throwIfCancelled } from "../lib/cancel";
import type { Clock } from "../lib/clock";
import { ConfigurationError, quote, TimeoutError } from "../lib/errors";
import type { Logger } from "../lib/logger";
import { ROUTER_CODE, ROUTER_RUNTIME } from "./release-router";

/**
 * Keeps the release router (release-router.ts) in place: the function with shipline's code and
 * the store associated, published, and on each distribution's default behaviour as its
 * viewer-request function. Inspecting reads only and runs before anything changes (a distribution
 * whose default behaviour runs another viewer-request function is the user's to sort out); it
 * then writes only what differs, so a publish whose router is in place costs a few reads.
 */
export interface RouterPlan {
  name: string;
  keyValueStoreArn: string;
  function: "create" | "update" | "keep";
  /** The DEVELOPMENT stage's ETag, for UpdateFunction and PublishFunction. */
  etag?: string;
  publish: boolean;
  /** Distributions whose default behaviour does not run the router yet. */
  associate: string[];
  distributionIds: string[];
}

export interface RouterPatience {
  clock: Clock;
  logger: Logger;
  deadline: number;
  pollMs?: number;
  /**
   * SIGINT/SIGTERM: the wait for the distributions (minutes on CloudFront) stops at once. What
   * the sync wrote is harmless before the pointer moves (the router passes every request through
   * until a store has a pointer, and serves the pointer's release after), and the next publish
   * finishes it.
   */
  signal?: AbortSignal;
}

const CODE = new TextEncoder().encode(ROUTER_CODE);

const errorName = (error: unknown) => (error as { name?: string }).name;

const configOf = (name: string, keyValueStoreArn: string): FunctionConfig => ({
  Comment: `shipline release router of ${name}`.slice(0, 128),
  Runtime: ROUTER_RUNTIME,
  KeyValueStoreAssociations: { Quantity: 1, Items: [{ KeyValueStoreARN: keyValueStoreArn }] },
});

const isRouter = (arn: string | undefined, name: string) => arn?.endsWith(`:function/${name}`);

export async function inspectRouter(
  cloudfront: CloudFrontClient,
  settings: { name: string; keyValueStoreArn: string; distributionIds: string[] },
): Promise<RouterPlan> {
  const { name, keyValueStoreArn, distributionIds } = settings;
  const plan: RouterPlan = {
    name,
    keyValueStoreArn,
    function: "keep",
    publish: false,
    associate: [],
    distributionIds,
  };
  try {
    const described = await cloudfront.send(
      new DescribeFunctionCommand({ Name: name, Stage: "DEVELOPMENT" }),
    );
    const code = await cloudfront.send(
      new GetFunctionCommand({ Name: name, Stage: "DEVELOPMENT" }),
    );
    const config = described.FunctionSummary?.FunctionConfig;
    const stores = config?.KeyValueStoreAssociations?.Items ?? [];
    const same =
      Buffer.from(code.FunctionCode ?? new Uint8Array()).equals(Buffer.from(CODE)) &&
      config?.Runtime === ROUTER_RUNTIME &&
      stores.length === 1 &&
      stores[0]?.KeyValueStoreARN === keyValueStoreArn;
    if (described.ETag) plan.etag = described.ETag;
    plan.function = same ? "keep" : "update";
    plan.publish = !same || described.FunctionSummary?.Status === "UNPUBLISHED";
  } catch (error) {
    if (errorName(error) !== "NoSuchFunctionExists") throw error;
    plan.function = "create";
    plan.publish = true;
  }
  for (const id of distributionIds) {
    const { DistributionConfig } = await cloudfront.send(
      new GetDistributionConfigCommand({ Id: id }),
    );
    const viewerRequest = (
      DistributionConfig?.DefaultCacheBehavior?.FunctionAssociations?.Items ?? []
    ).find((item) => item.EventType === "viewer-request");
    if (!viewerRequest) {
      plan.associate.push(id);
    } else if (!isRouter(viewerRequest.FunctionARN, name)) {
      throw new ConfigurationError(
        `distribution ${id} runs function ${quote(viewerRequest.FunctionARN)} on viewer requests of its default behaviour; the atomic web mode needs that place for its release router (input "edge-function" ${quote(name)}): remove the association or publish with web-mode invalidate`,
      );
    }
  }
  return plan;
}

/** Whether applying the plan changes anything (and so waits for the distributions to deploy). */
export const routerChanges = (plan: RouterPlan): boolean =>
  plan.function !== "keep" || plan.publish || plan.associate.length > 0;

/** Carries the plan out, then waits until every distribution serves it. */
export async function applyRouter(
  cloudfront: CloudFrontClient,
  plan: RouterPlan,
  patience: RouterPatience,
): Promise<void> {
  if (!routerChanges(plan)) return;
  const { logger } = patience;
  let etag = plan.etag;
  let arn: string | undefined;
  const FunctionConfig = configOf(plan.name, plan.keyValueStoreArn);
  if (plan.function === "create") {
    const created = await cloudfront.send(
      new CreateFunctionCommand({ Name: plan.name, FunctionConfig, FunctionCode: CODE }),
    );
    etag = created.ETag;
    arn = created.FunctionSummary?.FunctionMetadata?.FunctionARN;
    logger.info(`created the release router function ${plan.name}`);
  } else if (plan.function === "update") {
    const updated = await cloudfront.send(
      new UpdateFunctionCommand({
        Name: plan.name,
        IfMatch: etag,
        FunctionConfig,
        FunctionCode: CODE,
      }),
    );
    etag = updated.ETag;
    logger.info(`updated the release router function ${plan.name}`);
  }
  if (plan.publish) {
    const published = await cloudfront.send(
      new PublishFunctionCommand({ Name: plan.name, IfMatch: etag }),
    );
    arn = published.FunctionSummary?.FunctionMetadata?.FunctionARN ?? arn;
    logger.info(`published the release router function ${plan.name}`);
  }
  if (plan.associate.length > 0 && !arn) {
    const described = await cloudfront.send(
      new DescribeFunctionCommand({ Name: plan.name, Stage: "LIVE" }),
    );
    arn = described.FunctionSummary?.FunctionMetadata?.FunctionARN;
  }
  for (const id of plan.associate) {
    const current = await cloudfront.send(new GetDistributionConfigCommand({ Id: id }));
    const config = current.DistributionConfig;
    const behaviour = config?.DefaultCacheBehavior;
    if (!config || !behaviour) throw new Error(`distribution ${id} has no default behaviour`);
    const others = (behaviour.FunctionAssociations?.Items ?? []).filter(
      (item) => item.EventType !== "viewer-request",
    );
    const Items = [...others, { EventType: "viewer-request" as const, FunctionARN: arn }];
    await cloudfront.send(
      new UpdateDistributionCommand({
        Id: id,
        IfMatch: current.ETag,
        DistributionConfig: {
          ...config,
          DefaultCacheBehavior: {
            ...behaviour,
            FunctionAssociations: { Quantity: Items.length, Items },
          },
        },
      }),
    );
    logger.info(`distribution ${id} runs the release router on its default behaviour`);
  }
  await waitDeployed(cloudfront, plan.distributionIds, patience);
}

/** Polls each distribution until it is Deployed, within the deadline. */
async function waitDeployed(
  cloudfront: CloudFrontClient,
  ids: string[],
  patience: RouterPatience,
): Promise<void> {
  const { clock, deadline, signal } = patience;
  for (const id of ids) {
    for (;;) {
      throwIfCancelled(signal);
      const { Distribution } = await cloudfront.send(new GetDistributionCommand({ Id: id }));
      if (Distribution?.Status === "Deployed") break;
      if (clock.now() >= deadline) {
        throw new TimeoutError(
          `distribution ${id} is still ${Distribution?.Status ?? "deploying"} the release router (input "wait-timeout")`,
        );
      }
      await clock.sleep(
        Math.min(patience.pollMs ?? 2000, Math.max(0, deadline - clock.now())),
        signal,
      );
    }
  }
}
