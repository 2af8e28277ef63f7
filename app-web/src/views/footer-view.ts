// The footer says which release of the SPA is on screen and which release of the API answers it:
// the first thing to check after a deploy or a rollback.
import { h, replaceChildren } from "../dom";
import type { AppState } from "../state";

export interface FooterView {
  element: HTMLElement;
  render(apiVersion: AppState["apiVersion"]): void;
}

export function createFooterView(releaseId: string): FooterView {
  const api = h("span", { "data-testid": "api-version" });
  const element = h(
    "footer",
    { class: "footer" },
    h("span", {}, "Web release ", h("code", { "data-testid": "web-release" }, releaseId)),
    h("span", { class: "separator", "aria-hidden": "true" }, " · "),
    api,
  );

  return {
    element,
    render(apiVersion) {
      if (apiVersion === undefined) {
        replaceChildren(api, "API version: loading…");
      } else if (apiVersion === null) {
        replaceChildren(api, "API version: unavailable");
      } else {
        replaceChildren(
          api,
          "API release ",
          h("code", { "data-testid": "api-release" }, apiVersion.releaseId),
          " (commit ",
          h(
            "code",
            { "data-testid": "api-commit", title: apiVersion.commit },
            shortCommit(apiVersion.commit),
          ),
          apiVersion.builtAt && ", built ",
          apiVersion.builtAt && h("time", { datetime: apiVersion.builtAt }, apiVersion.builtAt),
          ")",
        );
      }
    },
  };
}

function shortCommit(commit: string): string {
  return /^[0-9a-f]{40}$/i.test(commit) ? commit.slice(0, 7) : commit;
}
