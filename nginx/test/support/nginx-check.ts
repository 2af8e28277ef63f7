import { spawn } from "node:child_process";
import type { RenderedConfig } from "../../src/render";

export interface CheckResult {
  code: number | null;
  stderr: string;
}

/**
 * `nginx -t` on a rendered tree, optionally as another user. stdout is /dev/null:
 * the access log opens /dev/stdout by name, which works on a container's stdout
 * (and /dev/null) but not on the socket a Node child gets.
 */
export function nginxConfigTest(config: RenderedConfig, asUser?: string): Promise<CheckResult> {
  const nginxArgs = ["/usr/sbin/nginx", "-t", "-p", config.prefix, "-c", config.configFile];
  const [command, ...args] = asUser ? ["runuser", "-u", asUser, "--", ...nginxArgs] : nginxArgs;
  const child = spawn(command ?? "", args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stderr }));
  });
}
