import { join } from "node:path";
import { JsonFile } from "../../state/json-file";
import type { XmlNode } from "./xml";

export interface StoredInvalidation {
  id: string;
  callerReference: string;
  paths: string[];
  createTime: string;
  /** Epoch ms at which the invalidation completes (and purges the edge cache). */
  completeAt: number;
  status: "InProgress" | "Completed";
}

export interface StoredDistribution {
  id: string;
  etag: string;
  /** The DistributionConfig as the client sent it, echoed back by Get*. */
  config: XmlNode;
  lastModifiedTime: string;
  /** Epoch ms at which Status turns from InProgress to Deployed. */
  deployedAt: number;
  /** The edge's loopback port, reused across restarts while it is free. */
  port: number;
  /** Newest last. */
  invalidations: StoredInvalidation[];
}

interface State {
  /** In creation order. */
  distributions: StoredDistribution[];
}

/** Distributions and their invalidations, persisted in the service's state folder. */
export class CloudFrontStore {
  private readonly file: JsonFile<State>;

  constructor(stateDir: string) {
    this.file = new JsonFile<State>(join(stateDir, "distributions.json"), () => ({
      distributions: [],
    }));
  }

  all(): StoredDistribution[] {
    return this.file.data.distributions;
  }

  find(id: string): StoredDistribution | undefined {
    return this.all().find((d) => d.id === id);
  }

  add(distribution: StoredDistribution): void {
    this.file.update((state) => state.distributions.push(distribution));
  }

  remove(id: string): void {
    this.file.update((state) => {
      state.distributions = state.distributions.filter((d) => d.id !== id);
    });
  }

  /** Writes changes made to stored records in place. */
  save(): void {
    this.file.save();
  }
}
