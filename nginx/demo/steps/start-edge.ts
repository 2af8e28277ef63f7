import { fileURLToPath } from "node:url";
import type { RunningProcess, StartOptions } from "../../src/child-process";
import { startNginx } from "../../src/nginx-process";
import { renderNginxConfig } from "../../src/render";

const edgeTemplate = fileURLToPath(new URL("../edge.conf.template", import.meta.url));

export interface StartEdgeOptions extends Pick<StartOptions, "onLine" | "ownProcessGroup"> {
  configDir: string;
  port: number;
  webRoot: string;
  /** host:port of the task's nginx. */
  origin: string;
}

/** CloudFront's part, played by a second nginx: the SPA at /, /api/* to the origin. */
export async function startEdge(options: StartEdgeOptions): Promise<RunningProcess> {
  const config = await renderNginxConfig({
    outDir: options.configDir,
    templates: [edgeTemplate],
    env: { EDGE_PORT: String(options.port), WEB_ROOT: options.webRoot, ORIGIN: options.origin },
  });
  return startNginx(config, { ...options, name: "edge", host: "127.0.0.1" });
}
