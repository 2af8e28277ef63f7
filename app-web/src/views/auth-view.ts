// Sign in / create account: one form, two modes. API errors appear in the form, and an error
// about one field marks that field.
import { type Actions, type AuthMode, messageOf } from "../actions";
import { ApiError } from "../api";
import { h } from "../dom";

const COPY: Record<AuthMode, { heading: string; submit: string; passwordHint: string }> = {
  login: { heading: "Sign in", submit: "Sign in", passwordHint: "current-password" },
  register: {
    heading: "Create an account",
    submit: "Create account",
    passwordHint: "new-password",
  },
};

export interface AuthView {
  element: HTMLElement;
  reset(notice: string | null): void;
}

export function createAuthView(actions: Actions): AuthView {
  let mode: AuthMode = "login";

  const tab = (target: AuthMode, label: string) =>
    h("button", { type: "button", class: "tab", "data-testid": `auth-tab-${target}` }, label);
  const loginTab = tab("login", "Sign in");
  const registerTab = tab("register", "Create account");

  const heading = h("h2", { id: "auth-heading" });
  const email = h("input", {
    id: "auth-email",
    name: "email",
    type: "email",
    autocomplete: "email",
    required: true,
    "data-testid": "auth-email",
  });
  const password = h("input", {
    id: "auth-password",
    name: "password",
    type: "password",
    required: true,
    "data-testid": "auth-password",
  });
  const error = h("p", {
    id: "auth-error",
    class: "form-error",
    role: "alert",
    "data-testid": "auth-error",
  });
  const submit = h("button", { type: "submit", class: "primary", "data-testid": "auth-submit" });

  const form = h(
    "form",
    { class: "card auth", "aria-labelledby": "auth-heading", "data-testid": "auth-form" },
    h("div", { class: "tabs", role: "group", "aria-label": "Account" }, loginTab, registerTab),
    heading,
    h("label", { for: "auth-email" }, "Email"),
    email,
    h("label", { for: "auth-password" }, "Password"),
    password,
    error,
    submit,
  );

  const showError = (message: string | null, field?: string) => {
    error.textContent = message ?? "";
    error.hidden = message === null;
    for (const input of [email, password]) {
      const invalid = field !== undefined && input.name === field;
      input.toggleAttribute("aria-invalid", invalid);
      if (invalid) input.setAttribute("aria-describedby", "auth-error");
      else input.removeAttribute("aria-describedby");
    }
  };

  const setMode = (next: AuthMode) => {
    mode = next;
    heading.textContent = COPY[mode].heading;
    submit.textContent = COPY[mode].submit;
    password.setAttribute("autocomplete", COPY[mode].passwordHint);
    loginTab.setAttribute("aria-pressed", String(mode === "login"));
    registerTab.setAttribute("aria-pressed", String(mode === "register"));
    showError(null);
  };

  loginTab.addEventListener("click", () => setMode("login"));
  registerTab.addEventListener("click", () => setMode("register"));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    showError(null);
    try {
      await actions.authenticate(mode, { email: email.value.trim(), password: password.value });
      password.value = "";
    } catch (failure) {
      showError(messageOf(failure), failure instanceof ApiError ? failure.field : undefined);
    } finally {
      submit.disabled = false;
    }
  });

  setMode(mode);
  return {
    element: form,
    reset(notice) {
      password.value = "";
      showError(notice);
    },
  };
}
