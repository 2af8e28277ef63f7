// The API client: one method per endpoint of the contract, errors turned into ApiError.
import type { ApiVersion, Credentials, Id, NewTask, Task, TaskChanges, User } from "./types";

/** An error the API reported ({error:{code,message,field?}}), or a network failure. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export interface Session {
  user: User;
}

export class ApiClient {
  constructor(private readonly base: string) {}

  register(credentials: Credentials): Promise<Session> {
    return this.request<Session>("POST", "/auth/register", credentials);
  }

  login(credentials: Credentials): Promise<Session> {
    return this.request<Session>("POST", "/auth/login", credentials);
  }

  async logout(): Promise<void> {
    await this.request<void>("POST", "/auth/logout");
  }

  /** The signed-in user, or null when the session cookie is missing or expired. */
  async me(): Promise<User | null> {
    try {
      return (await this.request<Session>("GET", "/me")).user;
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return null;
      throw error;
    }
  }

  async listTasks(): Promise<Task[]> {
    return (await this.request<{ tasks: Task[] }>("GET", "/tasks")).tasks;
  }

  async createTask(task: NewTask): Promise<Task> {
    return (await this.request<{ task: Task }>("POST", "/tasks", task)).task;
  }

  async updateTask(id: Id, changes: TaskChanges): Promise<Task> {
    return (await this.request<{ task: Task }>("PATCH", taskPath(id), changes)).task;
  }

  async deleteTask(id: Id): Promise<void> {
    await this.request<void>("DELETE", taskPath(id));
  }

  version(): Promise<ApiVersion> {
    return this.request<ApiVersion>("GET", "/version");
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        // The session is an HttpOnly cookie on the same origin: the browser sends it, we never see it.
        credentials: "same-origin",
        headers: {
          accept: "application/json",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, "network_error", "The service cannot be reached. Try again.");
    }
    if (response.status === 204) return undefined as T;
    const payload: unknown = await response.json().catch(() => undefined);
    if (!response.ok) throw toApiError(response.status, payload);
    return payload as T;
  }
}

function taskPath(id: Id): string {
  return `/tasks/${encodeURIComponent(String(id))}`;
}

function toApiError(status: number, payload: unknown): ApiError {
  const error = (payload as { error?: { code?: unknown; message?: unknown; field?: unknown } })
    ?.error;
  const fallback =
    status >= 500
      ? `The service is unavailable (HTTP ${status}). Try again in a moment.`
      : `The request failed (HTTP ${status}).`;
  const message = typeof error?.message === "string" ? error.message : fallback;
  return new ApiError(
    status,
    typeof error?.code === "string" ? error.code : "http_error",
    message,
    typeof error?.field === "string" ? error.field : undefined,
  );
}
