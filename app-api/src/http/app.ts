import cookie from "@fastify/cookie";
import Fastify, { type FastifyInstance } from "fastify";
import type { Config } from "../config";
import type { AppContext } from "./context";
import { HttpError, handleError, handleNotFound } from "./errors";
import { addFaultHook } from "./fault";
import { OneLinePerRequest } from "./request-log";
import { authRoutes } from "./routes/auth";
import { debugRoutes } from "./routes/debug";
import { healthRoutes } from "./routes/health";
import { taskRoutes } from "./routes/tasks";

/** The Fastify instance with its JSON logger; routes are added by `addRoutes` once the DB is open. */
export function createHttpServer(config: Pick<Config, "logLevel">): FastifyInstance {
  const app = Fastify({
    logger: { level: config.logLevel },
    logController: new OneLinePerRequest(),
    bodyLimit: 64 * 1024,
  });

  // An empty JSON body (a bodyless POST sent with a JSON content type) counts as no body; anything
  // else goes through Fastify's own parser, which guards against prototype poisoning.
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    const text = String(body);
    if (text.trim() === "") return done(null, undefined);
    parseJson(request, text, (error, parsed) =>
      error
        ? done(new HttpError(400, "invalid_json", "the request body is not valid JSON"), undefined)
        : done(null, parsed),
    );
  });

  app.setErrorHandler(handleError);
  app.setNotFoundHandler(handleNotFound);
  return app;
}

export async function addRoutes(app: FastifyInstance, context: AppContext): Promise<void> {
  await app.register(cookie);
  addFaultHook(app, context.config);
  healthRoutes(app, context);
  authRoutes(app, context);
  taskRoutes(app, context);
  if (context.config.debugRoutes) debugRoutes(app);
}
