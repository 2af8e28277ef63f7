// The application state and a minimal observable store: views render from it, actions update it.
import type { ApiVersion, Task, User } from "./types";

export type Phase = "starting" | "signed-out" | "signed-in";

export interface AppState {
  phase: Phase;
  user: User | null;
  tasks: Task[];
  /** undefined while loading, null when the API did not answer. */
  apiVersion: ApiVersion | null | undefined;
  /** A message for the task list (a failed load, an expired session). */
  notice: string | null;
}

export const initialState: AppState = {
  phase: "starting",
  user: null,
  tasks: [],
  apiVersion: undefined,
  notice: null,
};

type Listener<T> = (state: T, previous: T) => void;

export class Store<T extends object> {
  private readonly listeners = new Set<Listener<T>>();

  constructor(private state: T) {}

  get(): T {
    return this.state;
  }

  update(changes: Partial<T>): void {
    const previous = this.state;
    this.state = { ...previous, ...changes };
    for (const listener of this.listeners) listener(this.state, previous);
  }

  subscribe(listener: Listener<T>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
