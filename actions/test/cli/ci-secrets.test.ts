import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { cliLogger } from "../../src/cli/logger";
import { runCli } from "../../src/cli/program";
import { ExitCode } from "../../src/lib/errors";

/**
 * The CLI in CI, against a registry that echoes what it was sent: every Authorization header,
 * and the user:password it decoded, in its error message. With debug logging on, neither the
 * password nor anything derived from it (base64 of user:password, the bearer token from the
 * token endpoint) may reach the log; on GitHub each is masked (`::add-mask::`) before its first
 * use, which the registry checks against the log at the moment the request arrives.
 */
const USER = "ci-user";
const PASSWORD = "pa55-W0rd-that-must-stay-hidden";
const BASIC = Buffer.from(`${USER}:${PASSWORD}`).toString("base64");
const TOKEN = "bearer-token-issued-by-the-registry-7f3a9c";
const SECRETS = { password: PASSWORD, basic: BASIC, token: TOKEN };

let server: Server;
let registry = "";
let work = "";
/** Everything the CLI wrote to stdout and stderr, in order. */
let log: string[] = [];
/** Secrets that reached the registry before their `::add-mask::` reached the log. */
let unmaskedUses: string[] = [];
let checkMasks = false;

const logText = () => log.join("");
const masked = (secret: string) => logText().includes(`::add-mask::${secret}\n`);

/** The Authorization headers the registry received during one run. */
let seen: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const authorization = request.headers.authorization ?? "";
    if (authorization) seen.push(authorization);
    const [scheme, credential = ""] = authorization.split(" ");
    if (checkMasks && scheme === "Basic") {
      if (!masked(PASSWORD)) unmaskedUses.push("password");
      if (!masked(BASIC)) unmaskedUses.push("basic");
    }
    if (checkMasks && scheme === "Bearer" && !masked(TOKEN)) unmaskedUses.push("token");
    if (request.url?.startsWith("/token")) {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ token: TOKEN }));
      return;
    }
    if (scheme !== "Bearer") {
      response.writeHead(401, {
        "www-authenticate": `Bearer realm="${registry}/token",service="echo"`,
      });
      response.end();
      return;
    }
    const decoded = seen
      .filter((header) => header.startsWith("Basic "))
      .map((header) => Buffer.from(header.slice(6), "base64").toString("utf8"));
    response.writeHead(403, { "content-type": "application/json" });
    response.end(
      JSON.stringify({
        errors: [
          {
            code: "DENIED",
            message: `denied; you sent ${seen.join(" then ")} (${decoded.join(", ")}) ${credential}`,
          },
        ],
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  registry = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  work = await mkdtemp(join(tmpdir(), "ci-secrets-"));
  await writeFile(join(work, "server.mjs"), "console.log('hello')\n");
});

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  if (work) await rm(work, { recursive: true, force: true });
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** Runs the CLI in-process with stdout and stderr captured (where @actions/core writes). */
async function runCaptured(argv: string[], env: NodeJS.ProcessEnv): Promise<ExitCode> {
  log = [];
  unmaskedUses = [];
  seen = [];
  const capture = (chunk: unknown) => {
    log.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, "write").mockImplementation(capture);
  vi.spyOn(process.stderr, "write").mockImplementation(capture);
  try {
    return await runCli(argv, { env });
  } finally {
    vi.restoreAllMocks();
  }
}

/** Pushes an image to the echoing registry; the registry decides how far it gets. */
const argv = (): string[] => [
  "build-image",
  "--verbose",
  "--registry",
  registry,
  "--registry-username",
  USER,
  "--repository",
  "team/app",
  "--tags",
  "v1",
  "--context",
  work,
  "--base-image",
  `${new URL(registry).host}/base/node@sha256:${"a".repeat(64)}`,
];

/** The registry echoed each kind of credential (the requests run in parallel, in any order). */
function expectEchoRedacted(text: string): void {
  expect(text).toContain("Basic ***");
  expect(text).toContain("Bearer ***");
  expect(text).toContain(`${USER}:***`);
}

/** The lines of the log that contain a secret, other than the mask that announces it. */
function leaks(): string[] {
  return logText()
    .split("\n")
    .filter((line) => !line.startsWith("::add-mask::"))
    .filter((line) => Object.values(SECRETS).some((secret) => line.includes(secret)));
}

describe("the CLI keeps secrets out of CI logs", () => {
  it("on GitHub Actions: masks each secret and derived value before first use, prints none", async () => {
    checkMasks = true;
    const code = await runCaptured(argv(), {
      GITHUB_ACTIONS: "true",
      RUNNER_DEBUG: "1",
      SHIPLINE_REGISTRY_PASSWORD: PASSWORD,
    });
    checkMasks = false;
    expect(code).not.toBe(ExitCode.Success);
    const text = logText();
    // The registry's echo reached the log (redacted), so the test saw what it guards against.
    expect(text).toMatch(/::error::.*DENIED: denied; you sent /);
    expectEchoRedacted(text);
    expect(text).toContain("::debug::");
    for (const [name, secret] of Object.entries(SECRETS)) {
      expect(text.includes(`::add-mask::${secret}\n`), `${name} masked`).toBe(true);
    }
    expect(unmaskedUses).toEqual([]);
    expect(leaks()).toEqual([]);
  });

  it("on CircleCI (plain lines, --verbose): no secret or derived value is printed", async () => {
    const code = await runCaptured(argv(), {
      CIRCLECI: "true",
      SHIPLINE_REGISTRY_PASSWORD: PASSWORD,
    });
    expect(code).not.toBe(ExitCode.Success);
    const text = logText();
    expect(text).toMatch(/^error: .*DENIED: denied; you sent /m);
    expectEchoRedacted(text);
    expect(text).toContain("debug: ");
    expect(text).not.toContain("::add-mask::");
    for (const [name, secret] of Object.entries(SECRETS)) {
      expect(text.includes(secret), name).toBe(false);
    }
  });
});

describe("the CLI on GitHub Actions", () => {
  it("release-id prints only the id, which the build reads with $(…), with a token in the environment", async () => {
    const token = "ghs_run-token-the-runner-masks";
    const code = await runCaptured(["release-id"], {
      GITHUB_ACTIONS: "true",
      GITHUB_TOKEN: token,
      GITHUB_SHA: "89abcdef0123456789abcdef0123456789abcdef",
      GITHUB_RUN_ID: "501",
      GITHUB_RUN_ATTEMPT: "1",
    });
    expect(code).toBe(ExitCode.Success);
    expect(logText()).toBe("89abcdef0123-501.1\n");
    // The token is still kept out of every line the CLI writes.
    await runCaptured(["release-id", "--release-id", `bad/${token}`], {
      GITHUB_ACTIONS: "true",
      GITHUB_TOKEN: token,
    });
    expect(logText()).toContain("::error::");
    expect(logText()).not.toContain(token);
  });

  it("writes its tables to the job summary and its outputs to the log and GITHUB_OUTPUT", async () => {
    const summary = join(work, "summary.md");
    const outputs = join(work, "outputs.txt");
    await writeFile(summary, "");
    await writeFile(outputs, "");
    vi.stubEnv("GITHUB_STEP_SUMMARY", summary);
    vi.stubEnv("GITHUB_OUTPUT", outputs);
    const logger = await cliLogger([], { GITHUB_ACTIONS: "true" });
    log = [];
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: unknown) => {
      log.push(String(chunk));
      return true;
    });
    try {
      logger.secret("hidden-value");
      await logger.group("Publish", async () => logger.info("inside hidden-value"));
      await logger.summary({
        title: "Release",
        headers: ["step", "result"],
        rows: [["web", "uploaded 3 of hidden-value"]],
      });
      logger.output("release-id", "r1");
    } finally {
      vi.restoreAllMocks();
      vi.unstubAllEnvs();
    }
    expect(logText()).toContain("::group::Publish\n");
    expect(logText()).toContain("inside ***\n");
    expect(logText()).toContain("release-id=r1\n");
    const table = await readFile(summary, "utf8");
    expect(table).toContain("<h3>Release</h3>");
    expect(table).toContain("<td>uploaded 3 of ***</td>");
    expect(await readFile(outputs, "utf8")).toContain("r1");
    // Elsewhere the CLI prints plain lines.
    expect((await cliLogger([], { CIRCLECI: "true" })).constructor.name).toBe("TerminalLogger");
  });
});
