import * as z from "zod";

export const RELEASE_FORMAT = "shipline.release/1";

/**
 * deploying: under way (or its run died: the lock says whether anyone still holds it).
 * live: passed every step and became the live pointer.
 * failed: stopped before anything changed, or a rollback of it failed too.
 * rolled-back: a step failed after the service changed, and the previous release was restored.
 * cancelled: stopped by SIGINT/SIGTERM before going live; what it had changed was put back.
 */
export const RELEASE_STATUSES = [
  "deploying",
  "live",
  "failed",
  "rolled-back",
  "cancelled",
] as const;
export type ReleaseStatus = (typeof RELEASE_STATUSES)[number];

export const TRIGGERS = ["push", "rollback", "manual", "schedule", "promote"] as const;

const imageSchema = z.object({
  repository: z.string(),
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  uri: z.string(),
});

const stepSchema = z.object({
  name: z.string(),
  status: z.enum(["done", "failed", "skipped"]),
  durationMs: z.number().nonnegative(),
  detail: z.string().optional(),
});

/**
 * A change made to the service while a release was live that is not a release of its own: a
 * forced redeployment of the same revision, a new desired count. Kept on the live release.
 */
const serviceEventSchema = z.object({
  /** Unique within the release: the run that made the change. */
  id: z.string(),
  kind: z.enum(["redeploy", "scale"]),
  status: z.enum(["started", "done", "failed", "cancelled"]),
  actor: z.string(),
  run: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  taskDefinitionArn: z.string(),
  /** The ECS deployment a redeploy started. */
  deploymentId: z.string().optional(),
  /** A scale's desired count before and after. */
  desiredCount: z.object({ from: z.number(), to: z.number() }).optional(),
  detail: z.string().optional(),
});

/** One service of a release of several: where it runs and what the release moved it to. */
const serviceFactsSchema = z.object({
  cluster: z.string(),
  service: z.string(),
  taskDefinitionArn: z.string().optional(),
  /** What it ran before: where this release's own undo returns it. */
  previousTaskDefinitionArn: z.string().optional(),
  /** Why this service failed the release, when it did. */
  failure: z.string().optional(),
});

export const releaseSchema = z.object({
  format: z.literal(RELEASE_FORMAT),
  id: z.string(),
  environment: z.string(),
  commit: z.string(),
  run: z.string(),
  trigger: z.enum(TRIGGERS),
  actor: z.string(),
  createdAt: z.string(),
  finishedAt: z.string().optional(),
  status: z.enum(RELEASE_STATUSES),
  /** Container name → the image it runs, by digest (the API and nginx in the sample app). */
  images: z.record(z.string(), imageSchema),
  taskDefinitionArn: z.string().optional(),
  /** What the service ran before this release: the rollback target of its own deploy. */
  previousTaskDefinitionArn: z.string().optional(),
  /**
   * A release of several services: each by its key (taskDefinitionArn above is the first's).
   * Absent for a release of one service given as `service`.
   */
  services: z.record(z.string(), serviceFactsSchema).optional(),
  /** The web release: its id and the key of its manifest in the bucket. */
  web: z.object({ releaseId: z.string(), manifestKey: z.string() }).optional(),
  /** For a rollback: the release whose task definition and web entry points it restored. */
  restores: z.string().optional(),
  /**
   * For a promotion: the release of another environment whose images (by digest) and web files
   * this one ships, unbuilt.
   */
  promotedFrom: z.object({ environment: z.string(), releaseId: z.string() }).optional(),
  failure: z.object({ step: z.string(), message: z.string() }).optional(),
  /** Set when a later run found this record out of step with what was live and corrected it. */
  reconciled: z.object({ at: z.string(), reason: z.string() }).optional(),
  /** What failed after the release went live (e.g. an invalidation): left for the next run. */
  warnings: z.array(z.string()).optional(),
  steps: z.array(stepSchema),
  /** Redeployments and scalings made while this release was live, oldest first. */
  events: z.array(serviceEventSchema).optional(),
});

export type ReleaseRecord = z.output<typeof releaseSchema>;
export type ReleaseImage = z.output<typeof imageSchema>;
export type ReleaseStep = z.output<typeof stepSchema>;
export type ServiceEvent = z.output<typeof serviceEventSchema>;
export type ServiceFacts = z.output<typeof serviceFactsSchema>;

// The run context lives in its own zod-free file: the CLI reads it before any schema loads.
export { type RunContext, releaseIdOf, runContext } from "./run-context";
