import { defineConfig } from "vitest/config";

// One runner for the whole repo: each workspace is a vitest project with its own settings.
export default defineConfig({
  test: {
    passWithNoTests: true,
    projects: ["app-api", "app-web", "nginx", "localcloud", "actions"],
  },
});
