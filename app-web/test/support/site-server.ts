// Serves a build the way CloudFront does for shipline: the site under its base path, with the
// manifest's cache headers, and /api/* passed through to the API at the site root.
import { readFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { contentType } from "mime-types";
import type { AssetManifest } from "../../scripts/build";

export interface SiteServer {
  url: string;
  /** Every path the server was asked for, in order. */
  requests: string[];
  stop(): Promise<void>;
}

export async function serveSite(options: { siteDir: string; apiUrl: string }): Promise<SiteServer> {
  const manifest: AssetManifest = JSON.parse(
    await readFile(path.join(options.siteDir, "asset-manifest.json"), "utf8"),
  );
  const requests: string[] = [];

  const server = http.createServer((request, response) => {
    const pathname = new URL(request.url ?? "/", "http://site").pathname;
    requests.push(pathname);
    if (pathname === "/api" || pathname.startsWith("/api/")) {
      proxy(request, response, options.apiUrl);
    } else {
      serveFile(pathname, response, options.siteDir, manifest).catch(() => {
        response.writeHead(500).end();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function serveFile(
  pathname: string,
  response: http.ServerResponse,
  siteDir: string,
  manifest: AssetManifest,
): Promise<void> {
  if (!pathname.startsWith(manifest.basePath)) return void response.writeHead(404).end();
  let file = decodeURIComponent(pathname.slice(manifest.basePath.length));
  if (file === "" || file.endsWith("/")) file += "index.html";
  const known = manifest.entryPoints.includes(file) || manifest.immutable.includes(file);
  if (!known) return void response.writeHead(404).end();

  const body = await readFile(path.join(siteDir, file));
  response.writeHead(200, {
    "content-type": contentType(path.extname(file)) || "application/octet-stream",
    "cache-control": manifest.immutable.includes(file)
      ? "public, max-age=31536000, immutable"
      : "no-cache",
    "content-length": body.byteLength,
  });
  response.end(body);
}

function proxy(request: http.IncomingMessage, response: http.ServerResponse, apiUrl: string) {
  const target = new URL(request.url ?? "/", apiUrl);
  const upstream = http.request(
    target,
    { method: request.method, headers: { ...request.headers, host: target.host } },
    (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    },
  );
  upstream.on("error", () => {
    if (!response.headersSent) response.writeHead(502);
    response.end();
  });
  request.pipe(upstream);
}
