import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Metafile } from "esbuild";

const LICENSE_FILE = /^(licen[cs]e|copying|notice)([.-].*)?$/i;

/** The package folder a bundled file belongs to (nested node_modules included), or undefined. */
function packageFolderOf(input: string): string | undefined {
  const at = input.lastIndexOf("node_modules/");
  if (at < 0) return undefined;
  const parts = input.slice(at + "node_modules/".length).split("/");
  const depth = parts[0]?.startsWith("@") ? 2 : 1;
  return input.slice(0, at) + ["node_modules", ...parts.slice(0, depth)].join("/");
}

/**
 * The licence texts of every third-party package with code in the bundle (bytes in an output,
 * not merely visited), one section per package sorted by name and version, each with the
 * package's own LICENSE/NOTICE files verbatim. Deterministic, so the dist freshness check holds.
 */
export async function thirdPartyLicenses(metafile: Metafile, root: string): Promise<string> {
  const folders = new Set<string>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const folder = bytesInOutput > 0 ? packageFolderOf(input) : undefined;
      if (folder) folders.add(folder);
    }
  }
  const sections = new Map<string, string>();
  for (const folder of folders) {
    const manifest = JSON.parse(await readFile(join(root, folder, "package.json"), "utf8")) as {
      name: string;
      version: string;
      license?: string;
    };
    const id = `${manifest.name}@${manifest.version}`;
    const texts: string[] = [];
    for (const file of (await readdir(join(root, folder)))
      .filter((name) => LICENSE_FILE.test(name))
      .sort()) {
      texts.push((await readFile(join(root, folder, file), "utf8")).trim());
    }
    const body = texts.length > 0 ? texts.join("\n\n") : "(the package ships no licence file)";
    sections.set(id, `${id} — ${manifest.license ?? "licence not declared"}\n\n${body}\n`);
  }
  const ordered = [...sections.keys()].sort().map((id) => sections.get(id));
  return [
    "Third-party software bundled in this folder, with the licence texts its packages ship.\n",
    ...ordered,
  ].join(`\n${"-".repeat(78)}\n\n`);
}
