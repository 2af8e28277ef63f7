import { describe, expect, it } from "vitest";
import { missingCommand } from "../../src/oci/command";

/** What counts as an image's command (documented on missingCommand). */
describe("missingCommand", () => {
  it.each([
    ["its own cmd", { cmd: ["python3", "-m", "app"] }, { Cmd: ["node"] }],
    ["its own entrypoint", { entrypoint: ["/srv/app"] }, undefined],
    [
      "a base command with arguments",
      {},
      { Entrypoint: ["/docker-entrypoint.sh"], Cmd: ["nginx", "-g", "daemon off;"] },
    ],
    ["a base entrypoint with no command", {}, { Entrypoint: ["/usr/local/bin/server"] }],
    ["a base command that is a server program", {}, { Cmd: ["/usr/local/bin/caddy"] }],
  ])("has one: %s", (_, own, base) => {
    expect(missingCommand(own, base)).toBeUndefined();
  });

  it.each([
    ["no base config", {}, undefined, /its base image has none/],
    [
      "an empty base command",
      { cmd: [] },
      { Cmd: null, Entrypoint: null },
      /its base image has none/,
    ],
    ["node's prompt", {}, { Cmd: ["node"] }, /only \["node"\], an interactive prompt/],
    ["python's prompt", {}, { Cmd: ["python3"] }, /only \["python3"\]/],
    ["a shell by its path", {}, { Cmd: ["/bin/bash"] }, /only \["\/bin\/bash"\]/],
    [
      "a prompt behind a wrapper entrypoint",
      {},
      { Entrypoint: ["docker-entrypoint.sh"], Cmd: ["node"] },
      /only \["node"\]/,
    ],
  ])("has none: %s", (_, own, base, reason) => {
    expect(missingCommand(own, base)).toMatch(reason);
  });
});
