// One task in the list: a checkbox to complete it, its title and due date, a delete button.
import { type Actions, messageOf } from "../actions";
import { h } from "../dom";
import type { Task } from "../types";

export function renderTaskItem(
  task: Task,
  actions: Actions,
  today: string,
  reportError: (message: string | null) => void,
): HTMLLIElement {
  const done = task.status === "done";
  const overdue = !done && task.dueDate !== null && task.dueDate < today;
  const inputId = `task-${String(task.id)}`;

  const checkbox = h("input", {
    id: inputId,
    type: "checkbox",
    class: "task-toggle",
    checked: done,
    "data-testid": "task-toggle",
  });
  const remove = h(
    "button",
    {
      type: "button",
      class: "task-delete",
      "aria-label": `Delete “${task.title}”`,
      "data-testid": "task-delete",
    },
    "Delete",
  );

  const item = h(
    "li",
    {
      class: `task${done ? " done" : ""}${overdue ? " overdue" : ""}`,
      "data-testid": "task",
      "data-status": task.status,
    },
    checkbox,
    h(
      "div",
      { class: "task-body" },
      h("label", { for: inputId, class: "task-title", "data-testid": "task-title" }, task.title),
      task.dueDate &&
        h(
          "time",
          { class: "task-due", datetime: task.dueDate, "data-testid": "task-due" },
          overdue ? `Overdue · ${task.dueDate}` : `Due ${task.dueDate}`,
        ),
    ),
    remove,
  );

  // Each control is disabled while its request runs, so a double click sends one request.
  const run = async (control: HTMLInputElement | HTMLButtonElement, work: () => Promise<void>) => {
    control.disabled = true;
    item.setAttribute("aria-busy", "true");
    reportError(null);
    try {
      await work();
    } catch (error) {
      reportError(messageOf(error));
      control.disabled = false;
      item.removeAttribute("aria-busy");
      if (control === checkbox) checkbox.checked = done;
    }
  };

  checkbox.addEventListener("change", () =>
    run(checkbox, () => actions.setDone(task, checkbox.checked)),
  );
  remove.addEventListener("click", () => run(remove, () => actions.deleteTask(task)));
  return item;
}
