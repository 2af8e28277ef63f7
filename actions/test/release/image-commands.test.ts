import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseBuildImageInputs } from "../../src/images/inputs";
import { ConfigurationError } from "../../src/lib/errors";
import { TerminalLogger } from "../../src/lib/logger";
import { checkImageCommands } from "../../src/release/image-commands";
import type { PlannedImage } from "../../src/release/plan";
import { writeConfigOnlyLayout } from "../helpers/layout-base";
import {
  buildBaseImage,
  pushLayout,
  startRegistry,
  type TestRegistry,
} from "../helpers/localcloud";

/**
 * deploy's check that every image it builds has a command, against real base images: localcloud's
 * node base (`Cmd ["node"]`, a prompt) and nginx base (an entrypoint and a command), pushed into
 * a registry on loopback; and a layout folder, which a dry run reads too.
 */
let registry: TestRegistry;
let work = "";
const bases: Record<"node" | "nginx", string> = { node: "", nginx: "" };
let requests = 0;

const counting: typeof fetch = (input, init) => {
  requests += 1;
  return fetch(input, init);
};

beforeAll(async () => {
  registry = await startRegistry();
  work = await mkdtemp(join(tmpdir(), "image-commands-"));
  for (const kind of ["node", "nginx"] as const) {
    const image = await buildBaseImage(kind);
    const { digest } = await pushLayout(image.reference, {
      registry: registry.host,
      repository: `base/${kind}`,
      tag: image.tag,
      username: registry.username,
      password: registry.password,
    });
    bases[kind] = `${registry.host}/base/${kind}@${digest}`;
  }
}, 120_000);

afterAll(async () => {
  await registry?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

function image(container: string, raw: Record<string, string>): PlannedImage {
  return {
    container,
    source: "build",
    inputs: parseBuildImageInputs({
      repository: `shop/${container}`,
      registry: registry.host,
      "registry-username": registry.username,
      "registry-password": registry.password,
      tags: "r1",
      ...raw,
    }),
  };
}

const quiet = new TerminalLogger({ out: { write: () => true } as never });
const check = (images: PlannedImage[], readRegistries: boolean) => {
  requests = 0;
  return checkImageCommands(
    images,
    { logger: quiet, ecr: () => never(), fetch: counting },
    {
      readRegistries,
    },
  );
};
const never = (): never => {
  throw new Error("no ECR client is needed: the target is another registry");
};

describe("checkImageCommands", () => {
  it("an image with its own command passes without reading its base", async () => {
    await check([image("api", { "base-image": bases.node, cmd: '["node", "server.mjs"]' })], true);
    expect(requests).toBe(0);
  });

  it("a base with a real command (nginx's entrypoint and command) passes", async () => {
    await check([image("proxy", { "base-image": bases.nginx })], true);
    expect(requests).toBeGreaterThan(0);
  });

  it("refuses, naming each container, an image whose base's command is only node's prompt", async () => {
    const refused = check(
      [
        image("api", { "base-image": bases.node }),
        image("proxy", { "base-image": bases.nginx }),
        image("worker", { "base-image": bases.node, entrypoint: "node worker.mjs" }),
      ],
      true,
    );
    await expect(refused).rejects.toBeInstanceOf(ConfigurationError);
    await expect(check([image("api", { "base-image": bases.node })], true)).rejects.toThrow(
      /^container "api": the image has no command to run: .*only \["node"\]/,
    );
    const message = await refused.catch((error: Error) => error.message);
    expect(message).not.toMatch(/proxy|worker/);
  });

  it("without registry reads (a dry run), judges only what it can read locally", async () => {
    await check([image("api", { "base-image": bases.node })], false);
    expect(requests).toBe(0);
    const layout = await writeConfigOnlyLayout(join(work, "python"), { Cmd: ["python3"] });
    await expect(check([image("job", { "base-image": layout })], false)).rejects.toThrow(
      /container "job": .*only \["python3"\]/,
    );
    expect(requests).toBe(0);
  });

  it("images built from a Dockerfile are not checked", async () => {
    await check([image("web", { builder: "docker" })], true);
    expect(requests).toBe(0);
  });
});
