import { ConfigurationError, quote } from "./errors";

/**
 * ECS's rule for a container name: up to 255 letters, digits, "_" and "-". Holding names to it
 * also keeps them from carrying "=", "," or a line break into the NAME=VALUE lines they are
 * written in, where one name would otherwise turn into several.
 */
export const CONTAINER_NAME = /^[A-Za-z0-9_-]{1,255}$/;

export const CONTAINER_NAME_RULE = "up to 255 letters, digits, '_' and '-'";

export function checkContainerName(name: string, where: string): string {
  if (!CONTAINER_NAME.test(name)) {
    throw new ConfigurationError(
      `${where}: container name ${quote(name)} must be ${CONTAINER_NAME_RULE} (as ECS names containers)`,
    );
  }
  return name;
}
