// The sample app's images as its configuration describes them (workflows/shipline.yml): the demo,
// the tests and the benchmarks build the same images the pipelines do, from the same lines.
import { fileURLToPath } from "node:url";
import { containerBuildInputs } from "../src/config/environment";
import { loadConfig } from "../src/config/load";
import type { RawInputs } from "../src/lib/inputs";

export const SAMPLE_CONFIG = fileURLToPath(
  new URL("../../workflows/shipline.yml", import.meta.url),
);
export type SampleImage = "api" | "nginx";

/**
 * build-image's raw inputs for one of the sample's containers (its production entry), without
 * the repository: callers push where they need to, with their own context and base image.
 */
export async function sampleImageInputs(name: SampleImage): Promise<RawInputs> {
  const container = (await loadConfig(SAMPLE_CONFIG)).environments.production?.containers[name];
  if (!container) throw new Error(`${SAMPLE_CONFIG} describes no container ${name}`);
  const { repository: _, ...inputs } = containerBuildInputs(container);
  return Object.fromEntries(Object.entries(inputs).filter(([, value]) => value !== undefined));
}

/** The same as `shipline build-image` flags: one flag per line of a multi-line input. */
export async function sampleImageFlags(name: SampleImage): Promise<string[]> {
  return Object.entries(await sampleImageInputs(name)).flatMap(([key, value]) =>
    (value ?? "").split("\n").flatMap((line) => [`--${key}`, line]),
  );
}

/** The containers entry of a configuration file for one of the sample's images. */
export async function sampleContainer(
  name: SampleImage,
  overrides: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const container = (await loadConfig(SAMPLE_CONFIG)).environments.production?.containers[name];
  if (!container) throw new Error(`${SAMPLE_CONFIG} describes no container ${name}`);
  return { ...container, ...overrides };
}
