import { parse } from "parse5";

/** What a page loads by itself: scripts, stylesheets, icons, preloads, images, media. */
const LOADED = new Map<string, string>([
  ["script", "src"],
  ["img", "src"],
  ["source", "src"],
  ["video", "src"],
  ["audio", "src"],
]);
const LOADED_LINKS = new Set(["stylesheet", "icon", "modulepreload", "preload", "manifest"]);

interface Node {
  nodeName: string;
  attrs?: { name: string; value: string }[];
  childNodes?: Node[];
  content?: Node;
}

/**
 * The same-origin URLs a page references for the browser to load, resolved against the page's
 * URL, each once. Links to other pages (`<a href>`) and other origins (a CDN, analytics) are not
 * the release's files and are left out.
 */
export function pageAssets(html: string, pageUrl: string): string[] {
  const page = new URL(pageUrl);
  const found = new Set<string>();
  const visit = (node: Node) => {
    const attribute = (name: string) => node.attrs?.find((attr) => attr.name === name)?.value;
    let reference: string | undefined;
    if (node.nodeName === "link") {
      const rel = (attribute("rel") ?? "").toLowerCase().split(/\s+/);
      if (rel.some((value) => LOADED_LINKS.has(value))) reference = attribute("href");
    } else {
      const name = LOADED.get(node.nodeName);
      if (name) reference = attribute(name);
    }
    if (reference?.trim()) {
      const url = new URL(reference.trim(), page);
      url.hash = "";
      if (url.origin === page.origin) found.add(url.toString());
    }
    for (const child of node.childNodes ?? []) visit(child);
    if (node.content) visit(node.content);
  };
  visit(parse(html) as unknown as Node);
  return [...found].sort();
}
