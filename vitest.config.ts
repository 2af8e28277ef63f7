import { defineConfig } from "vitest/config";

// One runner for the whole repo: each workspace is a vitest project with its own settings.
export default defineConfig({
  test: {
    projects: ["app-api", "app-web", "nginx", "localcloud", "actions"],
  },
});
