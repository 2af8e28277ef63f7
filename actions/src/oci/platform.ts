import { ConfigurationError, quote } from "../lib/errors";
import type { Platform } from "./types";

const OPERATING_SYSTEMS = new Set(["linux", "windows"]);
const ARCHITECTURES = new Set(["amd64", "arm64", "arm", "386", "ppc64le", "s390x", "riscv64"]);

/** Parses "linux/amd64" or "linux/arm64/v8". */
export function parsePlatform(text: string): Platform {
  const [os, architecture, variant, extra] = text.split("/");
  if (
    !os ||
    !architecture ||
    extra !== undefined ||
    !OPERATING_SYSTEMS.has(os) ||
    !ARCHITECTURES.has(architecture)
  ) {
    throw new ConfigurationError(
      `platform ${quote(text)} is not known (expected os/architecture[/variant] with os one of ${[
        ...OPERATING_SYSTEMS,
      ].join(", ")} and architecture one of ${[...ARCHITECTURES].join(", ")}, e.g. "linux/amd64")`,
    );
  }
  return variant ? { os, architecture, variant } : { os, architecture };
}

export function formatPlatform(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join("/");
}

/** Whether an index entry's platform satisfies the requested one (variant only when asked). */
export function platformMatches(candidate: Platform | undefined, wanted: Platform): boolean {
  if (!candidate) return false;
  if (candidate.os !== wanted.os || candidate.architecture !== wanted.architecture) return false;
  return wanted.variant === undefined || candidate.variant === wanted.variant;
}
