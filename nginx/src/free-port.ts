import { createServer } from "node:net";

/**
 * A port nobody listens on right now, for servers that need a number up front
 * (nginx cannot be told to pick one itself). The kernel picks it.
 */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== "object" || address === null) throw new Error("no port assigned");
  return address.port;
}

/** `preferred` when nothing listens there (0 means any), otherwise a free port. */
export async function availablePort(preferred: number, host = "127.0.0.1"): Promise<number> {
  if (preferred === 0) return freePort(host);
  const server = createServer();
  const free = await new Promise<boolean>((resolve) => {
    server.once("error", () => resolve(false));
    server.listen(preferred, host, () => resolve(true));
  });
  if (!free) return freePort(host);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return preferred;
}
