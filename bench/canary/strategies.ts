import type { ServiceStack } from "../../actions/test/service/cloud";

/**
 * How the bench rolls a release out under one strategy: the deploy-service inputs that choose
 * it, and what the service needs before its first rollout under it.
 */
export interface Strategy {
  label: string;
  /** Inputs added to every deploy-service call under this strategy. */
  inputs: Record<string, string>;
  /** Set once before the strategy's first rollout; undefined when nothing is needed. */
  prepare?: (stack: ServiceStack) => Promise<void>;
  /** Why the strategy cannot run in this checkout; undefined when it can. */
  unavailable?: string;
}

/** Today's gate: ECS's rolling update, judged on the load balancer's health checks. */
export const rolling: Strategy = { label: "rolling", inputs: {} };

/**
 * ECS's native canary strategy: 10% of production traffic to the new revision for the bake
 * time, judged by shipline's analysis of the load balancer's metrics meanwhile.
 */
export const canary: Strategy = {
  label: "canary 10%",
  inputs: {},
  unavailable:
    "deploy-service has no strategy input yet, and localcloud's ECS runs rolling updates only",
};

export const STRATEGIES: Record<string, Strategy> = { rolling, canary };
