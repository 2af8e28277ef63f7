import { createServer, type Server } from "node:http";

/**
 * The few GitHub REST endpoints previews use (issue comments, open pull requests), on loopback,
 * so a rehearsal can see what the pipeline says on the pull request without reaching GitHub.
 */
export interface FakeGitHub {
  url: string;
  comments: { id: number; issue: number; body: string }[];
  writes: string[];
  stop(): Promise<void>;
}

export async function startFakeGitHub(openPulls: number[] = []): Promise<FakeGitHub> {
  const comments: FakeGitHub["comments"] = [];
  const writes: string[] = [];
  let nextId = 1;
  const server: Server = createServer(async (request, response) => {
    let body = "";
    for await (const chunk of request) body += chunk;
    const url = new URL(request.url ?? "/", "http://localhost");
    const send = (status: number, value: unknown) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(value));
    };
    const issue = /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/.exec(url.pathname);
    const comment = /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/.exec(url.pathname);
    if (issue && request.method === "GET") {
      return send(
        200,
        comments
          .filter((c) => c.issue === Number(issue[1]))
          .map((c) => ({ id: c.id, body: c.body })),
      );
    }
    if (issue && request.method === "POST") {
      const created = {
        id: nextId++,
        issue: Number(issue[1]),
        body: (JSON.parse(body) as { body: string }).body,
      };
      comments.push(created);
      writes.push(`create ${created.issue}`);
      return send(201, { id: created.id, body: created.body });
    }
    if (comment && request.method === "PATCH") {
      const found = comments.find((c) => c.id === Number(comment[1]));
      if (!found) return send(404, { message: "Not Found" });
      found.body = (JSON.parse(body) as { body: string }).body;
      writes.push(`update ${found.issue}`);
      return send(200, { id: found.id, body: found.body });
    }
    if (/^\/repos\/[^/]+\/[^/]+\/pulls$/.test(url.pathname) && request.method === "GET") {
      return send(
        200,
        openPulls.map((number) => ({ number, state: "open" })),
      );
    }
    send(404, { message: `not faked: ${request.method} ${url.pathname}` });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    comments,
    writes,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
