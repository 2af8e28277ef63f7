import { join } from "node:path";
import { JsonFile } from "../../state/json-file";
import type { ClusterRecord, ServiceRecord, TaskDefinitionRecord, TaskRecord } from "./model";

export interface EcsState {
  clusters: ClusterRecord[];
  /** family → revisions in order (index = revision - 1). */
  taskDefinitions: Record<string, TaskDefinitionRecord[]>;
  services: ServiceRecord[];
  tasks: TaskRecord[];
}

export const openEcsState = (stateDir: string): JsonFile<EcsState> =>
  new JsonFile<EcsState>(join(stateDir, "ecs.json"), () => ({
    clusters: [],
    taskDefinitions: {},
    services: [],
    tasks: [],
  }));
