import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { ZodError } from "zod";

/** The one error shape every route answers with: `{ error: { code, message, field? } }`. */
export interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

/** An expected failure with its HTTP status; anything else is a bug and answers 500. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export const unauthenticated = () =>
  new HttpError(401, "unauthenticated", "sign in first: send the sid cookie or a Bearer token");
export const taskNotFound = () => new HttpError(404, "not_found", "no such task");

function zodToHttp(error: ZodError): HttpError {
  const issue = error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join(".") : undefined;
  const message = issue ? (field ? `${field}: ${issue.message}` : issue.message) : "invalid input";
  return new HttpError(400, "invalid_input", message, field);
}

function toBody(error: HttpError): ErrorBody {
  const body: ErrorBody = { error: { code: error.code, message: error.message } };
  if (error.field !== undefined) body.error.field = error.field;
  return body;
}

export function handleError(
  error: FastifyError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  let known: HttpError | undefined;
  if (error instanceof HttpError) known = error;
  else if (error instanceof ZodError) known = zodToHttp(error);
  else if ("statusCode" in error && error.statusCode && error.statusCode < 500) {
    // Fastify's own client errors: malformed JSON, body too large, unsupported media type…
    const code = "code" in error && error.code ? error.code.toLowerCase() : "bad_request";
    known = new HttpError(error.statusCode, code, error.message);
  }
  if (known) return reply.status(known.statusCode).send(toBody(known));
  request.log.error({ err: error }, "request failed");
  return reply.status(500).send(toBody(new HttpError(500, "internal", "internal error")));
}

export function handleNotFound(request: FastifyRequest, reply: FastifyReply) {
  const path = request.url.split("?")[0];
  return reply
    .status(404)
    .send(toBody(new HttpError(404, "not_found", `no route for ${request.method} ${path}`)));
}
