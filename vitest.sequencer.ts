import { readFile } from "node:fs/promises";
import { dirname, relative, resolve } from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/** Files that start localcloud stacks or containers: seconds to minutes each. */
const startsContainers = (path: string) =>
  path.includes(".localcloud.test.") || path.startsWith("localcloud/test/");

/** The file's size plus its relative imports' (one level): a split file's parts weigh their code. */
async function weightOf(file: string): Promise<number> {
  const text = await readFile(file, "utf8").catch(() => "");
  const imports = [...text.matchAll(/from "(\.{1,2}\/[^"]+)"/g)].map((match) => match[1] ?? "");
  const sizes = await Promise.all(
    imports.map(async (path) => {
      const target = resolve(dirname(file), path);
      for (const candidate of [target, `${target}.ts`]) {
        const imported = await readFile(candidate, "utf8").catch(() => undefined);
        if (imported !== undefined) return imported.length;
      }
      return 0;
    }),
  );
  return sizes.reduce((sum, size) => sum + size, text.length);
}

/**
 * Longest first across every project, so that the workers finish close together: the files of
 * minutes start at once, the many short ones fill in around them. A file's length is the time
 * vitest kept from its last run. Files it has no time for (new ones, a fresh cache) run first,
 * those that start containers before the others, the heavier (with their own imports) first.
 */
export default class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const cache = this.ctx.cache;
    const root = this.ctx.config.root;
    const ranked = await Promise.all(
      files.map(async (spec) => {
        const path = relative(root, spec.moduleId);
        const known = cache.getFileTestResults(`${spec.project.name}:${path}`);
        return {
          spec,
          group: spec.project.config.sequence.groupOrder,
          knownMs: known?.duration,
          containers: startsContainers(path),
          weight: known ? 0 : await weightOf(spec.moduleId),
        };
      }),
    );
    ranked.sort((a, b) => {
      if (a.group !== b.group) return a.group - b.group;
      if (a.knownMs === undefined || b.knownMs === undefined) {
        if (a.knownMs !== undefined) return 1;
        if (b.knownMs !== undefined) return -1;
        if (a.containers !== b.containers) return a.containers ? -1 : 1;
        return b.weight - a.weight;
      }
      return b.knownMs - a.knownMs;
    });
    return ranked.map(({ spec }) => spec);
  }
}
