// The signed-in page: a form to add a task and the list of tasks. The form is built once (so typing
// is never interrupted); the list is re-rendered from the state.
import { type Actions, messageOf } from "../actions";
import { ApiError } from "../api";
import { h, replaceChildren } from "../dom";
import type { AppState } from "../state";
import type { NewTask, Task } from "../types";
import { renderTaskItem } from "./task-item";

export interface TasksView {
  element: HTMLElement;
  render(state: AppState): void;
}

export function createTasksView(actions: Actions): TasksView {
  const title = h("input", {
    id: "new-task-title",
    name: "title",
    type: "text",
    required: true,
    maxlength: "200",
    placeholder: "What needs doing?",
    "data-testid": "new-task-title",
  });
  const dueDate = h("input", {
    id: "new-task-due",
    name: "dueDate",
    type: "date",
    "data-testid": "new-task-due",
  });
  const addButton = h(
    "button",
    { type: "submit", class: "primary", "data-testid": "new-task-submit" },
    "Add task",
  );
  const formError = h("p", {
    id: "new-task-error",
    class: "form-error",
    role: "alert",
    hidden: true,
    "data-testid": "new-task-error",
  });
  const form = h(
    "form",
    { class: "add-task", "aria-label": "Add a task", "data-testid": "new-task-form" },
    h("div", { class: "field grow" }, h("label", { for: "new-task-title" }, "Title"), title),
    h(
      "div",
      { class: "field" },
      h("label", { for: "new-task-due" }, "Due date (optional)"),
      dueDate,
    ),
    addButton,
    formError,
  );

  const summary = h("p", {
    class: "summary",
    "aria-live": "polite",
    "data-testid": "task-summary",
  });
  const listError = h("p", {
    class: "form-error",
    role: "alert",
    hidden: true,
    "data-testid": "task-error",
  });
  const list = h("ul", { class: "tasks", "aria-label": "Tasks", "data-testid": "task-list" });

  const showFormError = (message: string | null, field?: string) => {
    formError.textContent = message ?? "";
    formError.hidden = message === null;
    for (const input of [title, dueDate]) {
      const invalid = field !== undefined && input.name === field;
      input.toggleAttribute("aria-invalid", invalid);
      if (invalid) input.setAttribute("aria-describedby", "new-task-error");
      else input.removeAttribute("aria-describedby");
    }
  };
  const showListError = (message: string | null) => {
    listError.textContent = message ?? "";
    listError.hidden = message === null;
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const task: NewTask = { title: title.value.trim() };
    if (dueDate.value) task.dueDate = dueDate.value;
    addButton.disabled = true;
    showFormError(null);
    try {
      await actions.addTask(task);
      form.reset();
      title.focus();
    } catch (error) {
      showFormError(messageOf(error), error instanceof ApiError ? error.field : undefined);
    } finally {
      addButton.disabled = false;
    }
  });

  const element = h(
    "section",
    { class: "card", "aria-label": "Your tasks" },
    form,
    summary,
    listError,
    list,
  );

  return {
    element,
    render(state) {
      const today = localDate(new Date());
      replaceChildren(
        list,
        ...state.tasks.map((task) => renderTaskItem(task, actions, today, showListError)),
      );
      summary.textContent = describe(state.tasks);
      if (state.notice) showListError(state.notice);
    },
  };
}

function describe(tasks: Task[]): string {
  if (tasks.length === 0) return "No tasks yet. Add one above.";
  const done = tasks.filter((task) => task.status === "done").length;
  return `${done} of ${tasks.length} done`;
}

/** Today as YYYY-MM-DD in the visitor's time zone, to compare with due dates. */
function localDate(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}
