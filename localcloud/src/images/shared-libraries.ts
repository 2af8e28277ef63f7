import { run } from "../runtime/exec";

/**
 * The shared libraries a dynamically linked binary loads, as absolute paths the dynamic loader
 * looks up (including the loader itself), read from `ldd`.
 */
export async function sharedLibraries(binary: string): Promise<string[]> {
  const { stdout, code } = await run("ldd", [binary], { allowFailure: true });
  // ldd exits 1 with "not a dynamic executable" for static binaries: they need nothing.
  if (code !== 0) return [];
  const libraries = new Set<string>();
  for (const line of stdout.split("\n")) {
    if (line.includes("=> not found"))
      throw new Error(`${binary} needs a missing library: ${line.trim()}`);
    const match = /=>\s+(\/\S+)/.exec(line) ?? /^\s*(\/\S+)/.exec(line);
    if (match?.[1]) libraries.add(match[1]);
  }
  return [...libraries].sort();
}
