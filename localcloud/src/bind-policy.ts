import { hostnameOf, isLoopbackHostname } from "./server/loopback";

/** Whether localcloud may listen on an interface, decided before any server starts. */
export type BindDecision =
  | { kind: "loopback" }
  | { kind: "refused"; message: string }
  | { kind: "remote"; warning: string };

/**
 * Loopback is the default and needs nothing. Any other interface exposes, to whoever can reach
 * it, an API whose credentials are public test keys, an unsigned control endpoint, and ECS tasks
 * that run containers as root on this machine: that takes an explicit `allowNonLoopback`
 * (`--allow-remote`) and is said out loud.
 */
export const bindDecision = (host: string, allowNonLoopback: boolean): BindDecision => {
  const hostname = hostnameOf(host);
  if (hostname === undefined) {
    return { kind: "refused", message: `localcloud: ${JSON.stringify(host)} is not a host name` };
  }
  if (isLoopbackHostname(hostname)) return { kind: "loopback" };
  const exposure =
    "anyone who can reach it could use its API (the credentials are public test keys), its unsigned control endpoint, and run containers as root on this machine";
  if (!allowNonLoopback) {
    return {
      kind: "refused",
      message: `localcloud: refusing to listen on ${host}, which is not a loopback address: ${exposure}. Listen on 127.0.0.1 (the default), or pass --allow-remote (option allowNonLoopback) if that is what you want.`,
    };
  }
  return {
    kind: "remote",
    warning: `localcloud: WARNING: listening on ${host}, not only on loopback (--allow-remote): ${exposure}.`,
  };
};
