import type { CloudFrontClient } from "@aws-sdk/client-cloudfront";
import type { CloudFrontKeyValueStoreClient } from "@aws-sdk/client-cloudfront-keyvaluestore";
import { throwIfCancelled } from "../lib/cancel";
import { type Clock, systemClock } from "../lib/clock";
import { ConfigurationError, quote } from "../lib/errors";
import type { Logger } from "../lib/logger";
import type { DistributionInfo } from "./distributions";
import { keyValueStoreArn, type LiveState, readLiveState, switchLive } from "./live-store";
import { keptReleases, type Release, type SiteManifest } from "./manifest";
import type { PublishPlan } from "./plan";
import {
  assetRoutes,
  encodeLivePointer,
  LIVE_KEY,
  type LivePointer,
  RELEASES_FOLDER,
} from "./release-router";
import { applyRouter, inspectRouter, type RouterPlan, routerChanges } from "./router-sync";

/** What an atomic publish read before writing, and the one write that makes it live. */
export interface AtomicSwitch {
  state: LiveState;
  pointer: LivePointer;
  router: RouterPlan;
  /** The store key switched: production's LIVE_KEY, or a preview's host key. */
  key: string;
}

interface AtomicInputs {
  "key-value-store"?: string | undefined;
  "edge-function"?: string | undefined;
}

interface AtomicDeps {
  cloudfront: () => CloudFrontClient;
  keyValueStore?: () => CloudFrontKeyValueStoreClient;
  logger: Logger;
  clock?: Clock;
  /**
   * SIGINT/SIGTERM: before the PutKey, the publish stops at the router's wait or right before the
   * switch, and the site serves what it served.
   */
  signal?: AbortSignal;
  /** `pollMs`: between reads of a deploying distribution (tests shorten it). */
  invalidationTimings?: { pollMs?: number };
  /** The store key this site's pointer is at (a preview's); default LIVE_KEY, production's. */
  pointerKey?: string;
  /**
   * Called once right before the PutKey, the commit point's one write, after the router is in
   * place (its errors are warnings): a release disarms its guard there, as before the entry
   * points in the invalidate mode.
   */
  beforeEntryPoints?: () => Promise<void>;
}

/**
 * The live pointer of `release`: the paths the router leaves to the shared assets are those of
 * every release kept (an old tab still asks for its own), except paths that are the release's
 * own files. `prefix` is the site's prefix, stripped from the manifest's keys.
 */
export function pointerOf(release: Release, kept: Release[], prefix: string): LivePointer {
  const served = (key: string) => key.slice(prefix.length);
  const own = Object.keys(release.files)
    .filter((key) => release.files[key]?.role !== "immutable")
    .map((key) => served(key).replace(/^releases\/[^/]+\//, ""));
  const immutable = [release, ...kept].flatMap((r) =>
    Object.entries(r.files).flatMap(([key, file]) =>
      file.role === "immutable" && !served(key).startsWith(RELEASES_FOLDER) ? [served(key)] : [],
    ),
  );
  return { release: release.releaseId, assets: assetRoutes(immutable, own) };
}

/** The pointer a manifest's kept release would get (for a rollback). */
export function pointerIn(manifest: SiteManifest, releaseId: string): LivePointer | undefined {
  const kept = keptReleases(manifest);
  const release = kept.find((candidate) => candidate.releaseId === releaseId);
  return release ? pointerOf(release, kept, manifest.prefix) : undefined;
}

/**
 * Reads and checks everything the atomic mode needs before the first write: a distribution
 * serving the site at its root, the store and its pointer, the router's state, and the new
 * pointer's size. Reads only, so a dry run runs it too and prints what would change.
 */
export async function prepareAtomic(
  inputs: AtomicInputs,
  deps: AtomicDeps,
  plan: PublishPlan,
  distributions: DistributionInfo[],
  servedAt: string,
): Promise<AtomicSwitch> {
  if (distributions.length === 0) {
    throw new ConfigurationError(
      `web-mode atomic needs input "distribution-id": the release router runs on the distributions`,
    );
  }
  if (servedAt !== "/") {
    throw new ConfigurationError(
      `web-mode atomic serves a site at the distribution's root; this one is served at ${quote(servedAt)}: give the distribution an origin path equal to input "prefix", or use web-mode invalidate`,
    );
  }
  if (!deps.keyValueStore) throw new Error("web-mode atomic without a key value store client");
  const cloudfront = deps.cloudfront();
  const storeInput = inputs["key-value-store"] ?? "";
  const arn = await keyValueStoreArn(cloudfront, storeInput, "key-value-store");
  const key = deps.pointerKey ?? LIVE_KEY;
  const [state, router] = await Promise.all([
    readLiveState(deps.keyValueStore(), arn, "key-value-store", key),
    inspectRouter(cloudfront, {
      name: inputs["edge-function"] ?? "",
      keyValueStoreArn: arn,
      distributionIds: distributions.map((distribution) => distribution.id),
    }),
  ]);
  const live = plan.manifest?.live;
  const kept = plan.manifest?.history ?? [];
  const release: Release = live ?? {
    releaseId: plan.releaseId,
    publishedAt: "",
    files: Object.fromEntries(plan.files.map((file) => [file.key, file])),
  };
  const pointer = pointerOf(release, kept, plan.prefix);
  encodeLivePointer(pointer);
  const { logger } = deps;
  logger.info(
    `${key === LIVE_KEY ? "live pointer" : `pointer ${key}`} ${arn}: ${state.pointer?.release ?? "(none yet)"} → ${pointer.release} (assets at ${pointer.assets.join(" ") || "none"})`,
  );
  if (routerChanges(router)) {
    const steps = [
      router.function !== "keep" ? `${router.function} function ${router.name}` : "",
      router.publish ? "publish it" : "",
      router.associate.length > 0 ? `associate it with ${router.associate.join(", ")}` : "",
    ].filter(Boolean);
    logger.info(`release router: ${steps.join(", ")}, then wait for the distributions to deploy`);
  }
  return { state, pointer, router, key };
}

/**
 * The atomic commit: the router in place (only when something differs), then the PutKey that
 * makes the release live. Before the PutKey the site serves what it served, and a cancellation
 * is honoured up to the last moment before it (the guard not yet told, the pointer not moved).
 */
export async function commitAtomic(
  atomic: AtomicSwitch,
  deps: AtomicDeps,
  deadline: number,
  /** Runs once the router is in place, right before the guard is told and the PutKey is made. */
  beforeSwitch?: () => Promise<void>,
): Promise<void> {
  const clock = deps.clock ?? systemClock;
  const pollMs = deps.invalidationTimings?.pollMs;
  await applyRouter(deps.cloudfront(), atomic.router, {
    clock,
    logger: deps.logger,
    deadline,
    ...(pollMs !== undefined ? { pollMs } : {}),
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  if (!deps.keyValueStore) throw new Error("web-mode atomic without a key value store client");
  await beforeSwitch?.();
  throwIfCancelled(deps.signal);
  await deps.beforeEntryPoints?.().catch((error: Error) => deps.logger.warning(error.message));
  await switchLive(deps.keyValueStore(), atomic.state, atomic.pointer, atomic.key);
  deps.logger.info(
    `release ${atomic.pointer.release} is live${atomic.key === LIVE_KEY ? "" : ` at ${atomic.key}`} (one PutKey on ${atomic.state.arn}; nothing to invalidate)`,
  );
}
