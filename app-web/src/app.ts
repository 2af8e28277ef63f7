// Builds the page shell once and keeps each part in step with the store.
import { createActions } from "./actions";
import { ApiClient } from "./api";
import { h } from "./dom";
import type { Settings } from "./settings";
import { type AppState, initialState, Store } from "./state";
import { createAuthView } from "./views/auth-view";
import { createFooterView } from "./views/footer-view";
import { createTasksView } from "./views/tasks-view";

export function mountApp(root: HTMLElement, settings: Settings): Promise<void> {
  const store = new Store<AppState>(initialState);
  const actions = createActions(new ApiClient(settings.apiBase), store);

  const auth = createAuthView(actions);
  const tasks = createTasksView(actions);
  const footer = createFooterView(settings.releaseId);

  const userEmail = h("span", { class: "user-email", "data-testid": "user-email" });
  const signOut = h(
    "button",
    { type: "button", class: "link", "data-testid": "sign-out" },
    "Sign out",
  );
  signOut.addEventListener("click", () => {
    signOut.disabled = true;
    actions.signOut().finally(() => {
      signOut.disabled = false;
    });
  });
  const account = h("div", { class: "account" }, userEmail, signOut);
  const loading = h("p", { class: "loading", "data-testid": "loading" }, "Loading…");

  root.replaceChildren(
    h("header", { class: "header" }, h("h1", {}, "Tasks"), account),
    h("main", { class: "content" }, loading, auth.element, tasks.element),
    footer.element,
  );

  const render = (state: AppState, previous: AppState | null) => {
    loading.hidden = state.phase !== "starting";
    auth.element.hidden = state.phase !== "signed-out";
    tasks.element.hidden = state.phase !== "signed-in";
    account.hidden = state.phase !== "signed-in";
    userEmail.textContent = state.user?.email ?? "";
    root.dataset.phase = state.phase;
    if (state.phase === "signed-out" && previous?.phase !== "signed-out") auth.reset(state.notice);
    if (state.tasks !== previous?.tasks || state.notice !== previous?.notice) tasks.render(state);
    if (state.apiVersion !== previous?.apiVersion) footer.render(state.apiVersion);
  };
  render(store.get(), null);
  store.subscribe(render);

  return actions.start();
}
