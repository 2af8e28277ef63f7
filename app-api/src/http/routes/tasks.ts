import type { FastifyInstance, FastifyRequest } from "fastify";
import { createTask, deleteTask, findTask, listTasks, updateTask } from "../../domain/tasks";
import { newTaskBody, parseBody, taskChangesBody, taskIdParams } from "../bodies";
import type { AppContext } from "../context";
import { taskNotFound } from "../errors";
import { requireUser } from "../session";

/** Every query names the owner, so another user's task id is simply not found (404). */
export function taskRoutes(app: FastifyInstance, { db }: AppContext) {
  const taskId = (request: FastifyRequest): string => {
    const parsed = taskIdParams.safeParse(request.params);
    if (!parsed.success) throw taskNotFound();
    return parsed.data.id;
  };

  app.get("/api/tasks", async (request) => {
    const { user } = await requireUser(db, request);
    return { tasks: await listTasks(db, user.id) };
  });

  app.post("/api/tasks", async (request, reply) => {
    const { user } = await requireUser(db, request);
    const { title, dueDate } = parseBody(newTaskBody, request.body);
    const task = await createTask(db, user.id, title, dueDate);
    return reply.status(201).send({ task });
  });

  app.get("/api/tasks/:id", async (request) => {
    const { user } = await requireUser(db, request);
    const task = await findTask(db, user.id, taskId(request));
    if (!task) throw taskNotFound();
    return { task };
  });

  app.patch("/api/tasks/:id", async (request) => {
    const { user } = await requireUser(db, request);
    const id = taskId(request);
    const changes = parseBody(taskChangesBody, request.body);
    const task = await updateTask(db, user.id, id, changes);
    if (!task) throw taskNotFound();
    return { task };
  });

  app.delete("/api/tasks/:id", async (request, reply) => {
    const { user } = await requireUser(db, request);
    if (!(await deleteTask(db, user.id, taskId(request)))) throw taskNotFound();
    return reply.status(204).send();
  });
}
