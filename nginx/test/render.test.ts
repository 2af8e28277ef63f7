import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { templateDefaults } from "../src/defaults";
import { nginxImage } from "../src/image";
import {
  defaultTemplateFile,
  relocateRuntimePaths,
  renderTemplate,
  withDefaults,
} from "../src/render";

const packageDir = join(import.meta.dirname, "..");

describe("renderTemplate", () => {
  it("replaces both forms of a defined variable, empty values included", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: envsubst syntax, not JavaScript
    const template = "listen ${PORT}; a $PORT b; c=${EMPTY};";
    expect(renderTemplate(template, { PORT: "8080", EMPTY: "" })).toBe(
      "listen 8080; a 8080 b; c=;",
    );
  });

  it("leaves nginx's variables and unknown names as written", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: envsubst syntax, not JavaScript
    const template = "proxy_set_header Host $host; x ${UNDEFINED_NAME} $request_id $PORTX";
    expect(renderTemplate(template, { PORT: "1", host: undefined })).toBe(template);
  });

  it("substitutes exactly like envsubst with the list of defined variables", () => {
    const template = readFileSync(defaultTemplateFile, "utf8");
    const env = { ...withDefaults({ API_UPSTREAM: "10.1.2.3:9000" }), host: "not-nginx's" };
    const shellFormat = Object.keys(env)
      .map((name) => `\${${name}}`)
      .join(" ");
    const expected = execFileSync("/usr/bin/envsubst", [shellFormat], {
      input: template,
      env,
      encoding: "utf8",
    });
    const rendered = renderTemplate(template, env);
    expect(rendered).toBe(expected);
    expect(rendered).toContain("server 10.1.2.3:9000;");
    expect(rendered).not.toMatch(/\$\{[A-Z_]+\}/);
  });
});

describe("withDefaults", () => {
  it("lets defined values win and ignores undefined ones", () => {
    const env = withDefaults({ NGINX_PORT: "9999", API_UPSTREAM: undefined });
    expect(env.NGINX_PORT).toBe("9999");
    expect(env.API_UPSTREAM).toBe(templateDefaults.API_UPSTREAM);
  });
});

describe("relocateRuntimePaths", () => {
  it("moves the pid file and every temp path, and nothing else", () => {
    const main = readFileSync(join(packageDir, "nginx.conf"), "utf8");
    const relocated = relocateRuntimePaths(main, "/srv/run");
    expect(relocated).toContain("pid /srv/run/nginx.pid;");
    expect(relocated).toContain("proxy_temp_path /srv/run/proxy_temp;");
    const directives = relocated.split("\n").filter((line) => !line.trim().startsWith("#"));
    expect(directives.filter((line) => line.includes("/tmp/"))).toEqual([]);
  });
});

describe("Dockerfile", () => {
  const dockerfile = readFileSync(join(packageDir, "Dockerfile"), "utf8");
  const instructions = (name: string) =>
    [...dockerfile.matchAll(new RegExp(`^${name} ((?:.*\\\\\n)*.*)$`, "gm"))].map(
      (match) => match[1] ?? "",
    );

  it("builds on the base image, pinned by version", () => {
    expect(instructions("FROM")).toEqual([nginxImage.base]);
    expect(nginxImage.base).toMatch(/:\d+\.\d+\.\d+-/);
  });

  it("sets the same defaults as the renderer", () => {
    const [envBlock = ""] = instructions("ENV");
    const pairs = Object.fromEntries(
      envBlock
        .split(/\\\n/)
        .map((part) => part.trim().split("="))
        .map(([name, ...value]) => [name, value.join("=")]),
    );
    expect(pairs).toEqual(templateDefaults);
  });

  it("installs the files where the image's entrypoint and nginx look for them", () => {
    const copies = instructions("COPY").map((line) => line.split(" "));
    expect(copies).toEqual(
      nginxImage.files.map((file) => [relative(packageDir, file.source), file.target]),
    );
    expect(instructions("USER")).toEqual([nginxImage.user]);
    expect(instructions("EXPOSE")).toEqual([String(nginxImage.port)]);
    expect(String(nginxImage.port)).toBe(templateDefaults.NGINX_PORT);
  });
});
