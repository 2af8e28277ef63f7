// Copies the committed CLI bundle (actions/dist/shipline.mjs, the chunks it loads, and the
// third-party licences) into this package before `npm pack`, so the package is that bundle.
import { cp, mkdir, readFile, rm } from "node:fs/promises";
import { dirname, join, posix, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const source = resolve(here, "../../../actions/dist");
const target = resolve(here, "../dist");

/** The bundle's files reachable from its entry: relative `./….mjs` imports, static or dynamic. */
async function reachable(entry) {
  const seen = new Set();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    const text = await readFile(join(source, file), "utf8");
    for (const match of text.matchAll(/["'](\.\.?\/[A-Za-z0-9_./-]+\.mjs)["']/g)) {
      queue.push(posix.normalize(posix.join(posix.dirname(file), match[1])));
    }
  }
  return [...seen].sort();
}

await rm(target, { recursive: true, force: true });
const files = [...(await reachable("shipline.mjs")), "licenses.txt"];
for (const file of files) {
  await mkdir(dirname(join(target, file)), { recursive: true });
  await cp(join(source, file), join(target, file));
}
console.log(`copied ${files.length} files of actions/dist into ${target}`);
