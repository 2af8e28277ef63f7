// Renders index.html. Deployment settings go here, not into the hashed bundle (see src/settings.ts).

export interface IndexHtmlInput {
  basePath: string;
  releaseId: string;
  apiBase: string;
  /** Paths relative to the site root, e.g. "assets/main-ABC.js". */
  script: string;
  stylesheets: string[];
}

export function renderIndexHtml(input: IndexHtmlInput): string {
  const url = (file: string) => escapeHtml(`${input.basePath}${file}`);
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta name="shipline-release" content="${escapeHtml(input.releaseId)}">`,
    `<meta name="shipline-api-base" content="${escapeHtml(input.apiBase)}">`,
    "<title>Tasks</title>",
    // An empty icon: browsers stop asking for /favicon.ico, which does not exist under a prefix.
    '<link rel="icon" href="data:,">',
    ...input.stylesheets.map((file) => `<link rel="stylesheet" href="${url(file)}">`),
    `<script type="module" src="${url(input.script)}"></script>`,
    "</head>",
    "<body>",
    '<div id="app"><noscript>This app needs JavaScript.</noscript></div>',
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

function escapeHtml(value: string): string {
  return value
    .replaceAll("&", "&amp;")
    .replaceAll('"', "&quot;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;");
}
