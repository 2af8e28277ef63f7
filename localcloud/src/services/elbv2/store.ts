import { join } from "node:path";
import { JsonFile } from "../../state/json-file";
import type { Listener, LoadBalancer, Rule, Target, TargetGroup } from "./model";

export interface Elbv2State {
  loadBalancers: LoadBalancer[];
  listeners: Listener[];
  rules: Rule[];
  targetGroups: TargetGroup[];
  /** Registered targets per target group ARN (draining ones are removed when drained). */
  targets: Record<string, Target[]>;
  tags: Record<string, Array<{ Key: string; Value: string }>>;
}

export const openElbv2State = (stateDir: string): JsonFile<Elbv2State> =>
  new JsonFile<Elbv2State>(join(stateDir, "elbv2.json"), () => ({
    loadBalancers: [],
    listeners: [],
    rules: [],
    targetGroups: [],
    targets: {},
    tags: {},
  }));
