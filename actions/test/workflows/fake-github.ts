import { createServer, type Server } from "node:http";

/**
 * The few GitHub REST endpoints shipline uses (issue comments, open pull requests, deployments
 * and their statuses), on loopback, so a test can see what a run says on the pull request and the
 * commit without reaching GitHub. Requests with the token BAD_TOKEN are refused as GitHub does.
 */
export interface FakeDeployment {
  id: number;
  ref: string;
  environment: string;
  description: string;
  transient_environment: boolean;
  production_environment: boolean;
  required_contexts: string[];
  auto_merge: boolean;
  statuses: { state: string; environment_url?: string; log_url?: string }[];
}

export interface FakeGitHub {
  url: string;
  comments: { id: number; issue: number; body: string }[];
  deployments: FakeDeployment[];
  writes: string[];
  stop(): Promise<void>;
}

export const BAD_TOKEN = "ghs_revoked-token";

export async function startFakeGitHub(openPulls: number[] = []): Promise<FakeGitHub> {
  const comments: FakeGitHub["comments"] = [];
  const deployments: FakeDeployment[] = [];
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
    if (request.headers.authorization === `token ${BAD_TOKEN}`) {
      return send(401, { message: "Bad credentials" });
    }
    const deploymentsPath = /^\/repos\/[^/]+\/[^/]+\/deployments$/.test(url.pathname);
    const statuses = /^\/repos\/[^/]+\/[^/]+\/deployments\/(\d+)\/statuses$/.exec(url.pathname);
    if (deploymentsPath && request.method === "POST") {
      const created: FakeDeployment = {
        id: nextId++,
        statuses: [],
        ...(JSON.parse(body) as Omit<FakeDeployment, "id" | "statuses">),
      };
      deployments.push(created);
      writes.push(`deployment ${created.environment}`);
      return send(201, { id: created.id, environment: created.environment });
    }
    if (deploymentsPath && request.method === "GET") {
      const environment = url.searchParams.get("environment");
      return send(
        200,
        deployments
          .filter((d) => !environment || d.environment === environment)
          .reverse()
          .map((d) => ({ id: d.id, environment: d.environment })),
      );
    }
    if (statuses && request.method === "POST") {
      const found = deployments.find((d) => d.id === Number(statuses[1]));
      if (!found) return send(404, { message: "Not Found" });
      found.statuses.push(JSON.parse(body) as FakeDeployment["statuses"][number]);
      return send(201, { id: nextId++ });
    }
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
    deployments,
    writes,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
