import type { ImageLocation } from "../../runtime";

/**
 * Splits an image reference as ECS receives it (`host:port/repo@sha256:…`, `host/repo:tag`,
 * `repo:tag`) into where to pull it from. Images without a registry host would come from Docker
 * Hub, which localcloud cannot reach: the pull then fails as it would without a route.
 */
export const imageLocation = (image: string): Omit<ImageLocation, "auth"> => {
  const slash = image.indexOf("/");
  const first = slash > 0 ? image.slice(0, slash) : "";
  const hasHost = first.includes(".") || first.includes(":") || first === "localhost";
  const host = hasHost ? first : "registry-1.docker.io";
  const rest = hasHost ? image.slice(slash + 1) : image.includes("/") ? image : `library/${image}`;
  const at = rest.indexOf("@");
  if (at >= 0) {
    return {
      registryUrl: `http://${host}`,
      repository: rest.slice(0, at),
      reference: rest.slice(at + 1),
    };
  }
  const colon = rest.lastIndexOf(":");
  const tagged = colon > rest.lastIndexOf("/");
  return {
    registryUrl: `http://${host}`,
    repository: tagged ? rest.slice(0, colon) : rest,
    reference: tagged ? rest.slice(colon + 1) : "latest",
  };
};
