import { type FastifyReply, type FastifyRequest, LogController } from "fastify";

/**
 * One JSON line per request, written when the response is done (Fastify's default writes two:
 * "incoming request" and "request completed"). The query string is left out: it is not needed to
 * follow traffic and could carry something private.
 *
 * A 5xx answer is logged at `error` even when no exception was thrown (a handler or hook that
 * sends a 500 itself): it is the server failing its caller, and a service that logs at `warn`
 * must still show it, e.g. in the last log lines of a release a deploy stopped.
 */
export class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const line = {
      method: request.method,
      path: request.url.split("?")[0],
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (error) reply.log.error({ ...line, err: error }, "request failed");
    else if (reply.statusCode >= 500) reply.log.error(line, "request failed");
    else reply.log.info(line, "request");
  }
}
