import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "actions",
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // @actions/workflow-parser imports its JSON schema without an import attribute, which Node
    // refuses; inlined, vite loads it.
    server: { deps: { inline: ["@actions/workflow-parser"] } },
  },
});
