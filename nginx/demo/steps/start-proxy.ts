import type { RunningProcess, StartOptions } from "../../src/child-process";
import { startNginx } from "../../src/nginx-process";
import { renderNginxConfig } from "../../src/render";

export interface StartProxyOptions extends Pick<StartOptions, "onLine" | "ownProcessGroup"> {
  configDir: string;
  port: number;
  apiPort: number;
}

/** The task's nginx, from the same template the image renders, in front of the API. */
export async function startProxy(options: StartProxyOptions): Promise<RunningProcess> {
  const config = await renderNginxConfig({
    outDir: options.configDir,
    env: {
      NGINX_LISTEN_ADDRESS: "127.0.0.1",
      NGINX_PORT: String(options.port),
      API_UPSTREAM: `127.0.0.1:${options.apiPort}`,
      // The edge connects from loopback, as the load balancer does from the VPC.
      REAL_IP_FROM: "127.0.0.1/32",
    },
  });
  return startNginx(config, { ...options, name: "nginx", host: "127.0.0.1" });
}
