// What the user can do, as functions of the API client and the store. Views call these and show
// the ApiError they may throw next to the control that caused it.
import { type ApiClient, ApiError } from "./api";
import type { AppState, Store } from "./state";
import type { Credentials, NewTask, Task } from "./types";

export type AuthMode = "login" | "register";

export interface Actions {
  start(): Promise<void>;
  authenticate(mode: AuthMode, credentials: Credentials): Promise<void>;
  signOut(): Promise<void>;
  addTask(task: NewTask): Promise<void>;
  setDone(task: Task, done: boolean): Promise<void>;
  deleteTask(task: Task): Promise<void>;
}

export function createActions(api: ApiClient, store: Store<AppState>): Actions {
  const replaceTask = (updated: Task) =>
    store.update({ tasks: store.get().tasks.map((t) => (t.id === updated.id ? updated : t)) });

  // A 401 in the middle of a session means it expired elsewhere: go back to the sign-in form.
  const guard = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        store.update({
          phase: "signed-out",
          user: null,
          tasks: [],
          notice: "Your session ended. Sign in again.",
        });
      }
      throw error;
    }
  };

  const loadTasks = async () => {
    try {
      store.update({ tasks: await guard(() => api.listTasks()), notice: null });
    } catch (error) {
      if (store.get().phase === "signed-in") store.update({ notice: messageOf(error) });
    }
  };

  return {
    async start() {
      api.version().then(
        (apiVersion) => store.update({ apiVersion }),
        () => store.update({ apiVersion: null }),
      );
      let user: AppState["user"] = null;
      try {
        user = await api.me();
      } catch (error) {
        store.update({ phase: "signed-out", notice: messageOf(error) });
        return;
      }
      store.update({ phase: user ? "signed-in" : "signed-out", user });
      if (user) await loadTasks();
    },

    async authenticate(mode, credentials) {
      const session =
        mode === "register" ? await api.register(credentials) : await api.login(credentials);
      store.update({ phase: "signed-in", user: session.user, tasks: [], notice: null });
      await loadTasks();
    },

    async signOut() {
      try {
        await api.logout();
      } finally {
        store.update({ phase: "signed-out", user: null, tasks: [], notice: null });
      }
    },

    async addTask(task) {
      const created = await guard(() => api.createTask(task));
      store.update({ tasks: [...store.get().tasks, created] });
    },

    async setDone(task, done) {
      replaceTask(await guard(() => api.updateTask(task.id, { status: done ? "done" : "todo" })));
    },

    async deleteTask(task) {
      await guard(() => api.deleteTask(task.id));
      store.update({ tasks: store.get().tasks.filter((t) => t.id !== task.id) });
    },
  };
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : "Something went wrong.";
}
