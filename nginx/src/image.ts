import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { templateDefaults } from "./defaults";

const packageDir = fileURLToPath(new URL("..", import.meta.url));

/**
 * What the nginx image is: the base, the files laid on top and the environment.
 * The Dockerfile says the same (a test keeps them in step); an image builder that
 * appends one layer onto the base can take it from here.
 */
export const nginxImage = {
  /** The official image rebuilt for a non-root user; pin its digest when pulling. */
  base: "nginxinc/nginx-unprivileged:1.28.0-alpine",
  files: [
    { source: join(packageDir, "nginx.conf"), target: "/etc/nginx/nginx.conf" },
    {
      source: join(packageDir, "templates", "default.conf.template"),
      target: "/etc/nginx/templates/default.conf.template",
    },
  ],
  env: templateDefaults,
  user: "101",
  port: 8080,
} as const;
