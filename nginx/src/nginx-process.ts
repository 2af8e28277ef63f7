import { join } from "node:path";
import { type RunningProcess, type StartOptions, startProcess } from "./child-process";
import type { RenderedConfig } from "./render";
import { waitForPort } from "./wait";

export interface StartNginxOptions extends Pick<StartOptions, "onLine" | "ownProcessGroup"> {
  /** Where the rendered config listens; startNginx returns once it accepts connections. */
  host: string;
  port: number;
  /** Names the process in messages. Default "nginx". */
  name?: string;
  nginxBinary?: string;
  timeoutMs?: number;
}

/**
 * Runs nginx in the foreground on a rendered config tree. Its access log (stdout)
 * and error log (stderr) are kept in the returned process's lines.
 */
export async function startNginx(
  config: RenderedConfig,
  options: StartNginxOptions,
): Promise<RunningProcess> {
  const nginx = startProcess(
    options.name ?? "nginx",
    options.nginxBinary ?? "/usr/sbin/nginx",
    ["-p", config.prefix, "-c", config.configFile, "-g", "daemon off;"],
    {
      onLine: options.onLine,
      ownProcessGroup: options.ownProcessGroup,
      stdoutFile: join(config.runDir, "stdout.log"),
    },
  );
  try {
    await waitForPort(options.host, options.port, {
      timeoutMs: options.timeoutMs ?? 10_000,
      abort: nginx.exited,
    });
  } catch (error) {
    await nginx.stop("SIGKILL");
    throw error;
  }
  return {
    ...nginx,
    // SIGQUIT is nginx's graceful shutdown: finish the requests in flight, then exit.
    stop: (signal = "SIGQUIT", timeoutMs) => nginx.stop(signal, timeoutMs),
  };
}
