// The API's resources, as its contract describes them.

/** Identifiers are opaque to the SPA: it only sends them back. */
export type Id = string | number;

export interface User {
  id: Id;
  email: string;
}

export type TaskStatus = "todo" | "done";

export interface Task {
  id: Id;
  title: string;
  status: TaskStatus;
  /** "YYYY-MM-DD" or null. */
  dueDate: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ApiVersion {
  releaseId: string;
  commit: string;
  /** When the API was built; null for a development build. */
  builtAt: string | null;
}

export interface Credentials {
  email: string;
  password: string;
}

export interface NewTask {
  title: string;
  dueDate?: string;
}

export interface TaskChanges {
  title?: string;
  status?: TaskStatus;
  dueDate?: string | null;
}
