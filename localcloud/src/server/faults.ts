import { z } from "zod";

/**
 * Fault injection: tests ask for throttling, 5xx, latency, dropped connections or refused
 * permissions on a service/operation, for the next N calls or a fraction of calls.
 */
export const faultRuleSchema = z
  .object({
    service: z.string().min(1),
    /** Omit for every operation of the service. */
    operation: z.string().min(1).optional(),
    /** `deny`: the service's AccessDenied, as AWS answers a call no policy allows. */
    kind: z.enum(["throttle", "error", "latency", "reset", "deny"]),
    /** Apply to the next `count` matching calls (default: until cleared). */
    count: z.number().int().positive().optional(),
    /** Apply to this fraction of matching calls (default 1). */
    fraction: z.number().min(0).max(1).optional(),
    /** For `latency`: added delay. */
    latencyMs: z.number().int().nonnegative().optional(),
    /** For `error`: the HTTP status (default 500). */
    status: z.number().int().min(500).max(599).optional(),
  })
  .strict();

export type FaultRule = z.infer<typeof faultRuleSchema>;

export interface FaultDecision {
  kind: FaultRule["kind"];
  latencyMs: number;
  status: number;
}

export class FaultInjector {
  private rules: Array<FaultRule & { id: number; remaining: number }> = [];
  private nextId = 1;

  constructor(private readonly random: () => number = Math.random) {}

  add(rule: FaultRule): number {
    const parsed = faultRuleSchema.parse(rule);
    const id = this.nextId++;
    this.rules.push({ ...parsed, id, remaining: parsed.count ?? Number.POSITIVE_INFINITY });
    return id;
  }

  clear(): void {
    this.rules = [];
  }

  list(): FaultRule[] {
    return this.rules.map(({ id: _id, remaining: _r, ...rule }) => rule);
  }

  /** Decides the faults for one call; consumes counted rules. Latency combines with others. */
  decide(service: string, operation: string): FaultDecision[] {
    const decisions: FaultDecision[] = [];
    for (const rule of this.rules) {
      if (rule.service !== service) continue;
      if (rule.operation !== undefined && rule.operation !== operation) continue;
      if (rule.remaining <= 0) continue;
      if (rule.fraction !== undefined && this.random() >= rule.fraction) continue;
      rule.remaining -= 1;
      decisions.push({
        kind: rule.kind,
        latencyMs: rule.latencyMs ?? 0,
        status: rule.status ?? 500,
      });
    }
    this.rules = this.rules.filter((r) => r.remaining > 0);
    return decisions;
  }
}
