import { ConfigurationError, quote } from "../lib/errors";
import type { ServiceClients } from "../service/clients";
import { readCurrentService } from "../service/current";
import type { PlannedService, ReleasePlan } from "./plan";

/** Service key → the containers of the release it runs (its task definition has them). */
export type ServiceContainers = Record<string, string[]>;

/**
 * Which service runs which of the release's containers, matched by container name: a service's
 * task definition file says, else its live task definition (read-only calls). Read before the
 * lock, so an unknown service or a container no service has is a bad input (exit 4) found before
 * anything moves. The one-service shorthand runs every container, as a release always did.
 */
export async function assignContainers(
  plan: Pick<ReleasePlan, "images" | "services">,
  clients: ServiceClients,
): Promise<ServiceContainers> {
  const released = plan.images.map((image) => image.container);
  if (plan.services.every((service) => service.shorthand)) {
    return Object.fromEntries(plan.services.map((service) => [service.key, released]));
  }
  const names = await Promise.all(plan.services.map((service) => containersOf(service, clients)));
  const assigned: ServiceContainers = {};
  plan.services.forEach((service, index) => {
    const has = names[index] ?? [];
    assigned[service.key] = released.filter((container) => has.includes(container));
  });
  const used = new Set(Object.values(assigned).flat());
  const unused = released.filter((container) => !used.has(container));
  if (unused.length > 0) {
    throw new ConfigurationError(
      unused
        .map(
          (container) =>
            `container ${quote(container)} is in no service's task definition (${plan.services.map((s) => `${s.key}: ${(names[plan.services.indexOf(s)] ?? []).join(", ") || "none"}`).join("; ")})`,
        )
        .join("\n"),
    );
  }
  return assigned;
}

async function containersOf(service: PlannedService, clients: ServiceClients): Promise<string[]> {
  if (service.fileContainers) return service.fileContainers;
  const { cluster, service: name } = service.inputs;
  try {
    const current = await readCurrentService(clients, cluster, name);
    return (current.taskDefinition.containerDefinitions ?? []).flatMap((c) => c.name ?? []);
  } catch (error) {
    if (error instanceof ConfigurationError) {
      throw new ConfigurationError(`service ${quote(service.key)}: ${error.message}`);
    }
    throw error;
  }
}

/** Only what a service's containers are: its images and environment overrides. */
export function forService<T extends { container: string }>(items: T[], containers: string[]): T[] {
  return items.filter((item) => containers.includes(item.container));
}
