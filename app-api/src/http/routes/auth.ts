import type { FastifyInstance } from "fastify";
import { hashPassword, verifyNothing, verifyPassword } from "../../auth/password";
import { createSession, deleteSession } from "../../domain/sessions";
import { createUser, EmailTakenError, findUserByEmail } from "../../domain/users";
import { credentialsBody, parseBody } from "../bodies";
import type { AppContext } from "../context";
import { HttpError } from "../errors";
import {
  type CookieSettings,
  clearSessionCookie,
  requireUser,
  sessionToken,
  setSessionCookie,
} from "../session";

export function authRoutes(app: FastifyInstance, { config, db }: AppContext) {
  const cookie: CookieSettings = { secure: config.cookieSecure, ttlHours: config.sessionTtlHours };

  app.post("/api/auth/register", async (request, reply) => {
    const { email, password } = parseBody(credentialsBody, request.body);
    let user: Awaited<ReturnType<typeof createUser>>;
    try {
      user = await createUser(db, email, await hashPassword(password));
    } catch (error) {
      if (error instanceof EmailTakenError) {
        throw new HttpError(409, "email_taken", "this email is already registered", "email");
      }
      throw error;
    }
    const token = await createSession(db, user.id, config.sessionTtlHours);
    setSessionCookie(reply, token, cookie);
    return reply.status(201).send({ user, token });
  });

  app.post("/api/auth/login", async (request, reply) => {
    const { email, password } = parseBody(credentialsBody, request.body);
    const found = await findUserByEmail(db, email);
    // The same answer, in about the same time, for an unknown email and a wrong password, so
    // registered emails cannot be probed.
    const valid = found
      ? await verifyPassword(password, found.passwordHash)
      : await verifyNothing(password);
    if (!found || !valid) {
      throw new HttpError(401, "invalid_credentials", "wrong email or password");
    }
    const token = await createSession(db, found.id, config.sessionTtlHours);
    setSessionCookie(reply, token, cookie);
    return { user: { id: found.id, email: found.email }, token };
  });

  // Signing out twice, or with an expired session, is still a success.
  app.post("/api/auth/logout", async (request, reply) => {
    const token = sessionToken(request);
    if (token) await deleteSession(db, token);
    clearSessionCookie(reply, cookie);
    return reply.status(204).send();
  });

  app.get("/api/me", async (request) => {
    const { user } = await requireUser(db, request);
    return { user };
  });
}
