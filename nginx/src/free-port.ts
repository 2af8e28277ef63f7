import { createServer, type Server } from "node:net";

function listen(port: number, host: string): Promise<Server | undefined> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once("error", () => resolve(undefined));
    server.listen(port, host, () => resolve(server));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * `count` different ports nobody listens on right now, for servers that need a
 * number up front (nginx cannot pick one itself). The kernel picks them; all are
 * held until the last is picked, so they differ.
 */
export async function freePorts(count: number, host = "127.0.0.1"): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = await listen(0, host);
      if (!server) throw new Error(`cannot listen on ${host}`);
      servers.push(server);
    }
    return servers.map((server) => {
      const address = server.address();
      if (typeof address !== "object" || address === null) throw new Error("no port assigned");
      return address.port;
    });
  } finally {
    await Promise.all(servers.map(close));
  }
}

export async function freePort(host = "127.0.0.1"): Promise<number> {
  const [port] = await freePorts(1, host);
  if (port === undefined) throw new Error("no port assigned");
  return port;
}

/** `preferred` when nothing listens there (0 means any), otherwise a free port. */
export async function availablePort(preferred: number, host = "127.0.0.1"): Promise<number> {
  if (preferred === 0) return freePort(host);
  const server = await listen(preferred, host);
  if (!server) return freePort(host);
  await close(server);
  return preferred;
}
