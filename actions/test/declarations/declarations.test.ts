import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { buildImageCommand } from "../../src/cli/build-image";
import { day2Commands } from "../../src/cli/day2-commands";
import { deployServiceCommand } from "../../src/cli/deploy-service";
import { diffCommand } from "../../src/cli/diff";
import { historyCommand } from "../../src/cli/history";
import { invalidateCommand } from "../../src/cli/invalidate";
import { flagsOf, flagsToRawInputs } from "../../src/cli/options";
import { previewCommand } from "../../src/cli/preview";
import { promoteCommand } from "../../src/cli/promote";
import { promoteReleaseCommand } from "../../src/cli/promote-release";
import { publishWebCommand } from "../../src/cli/publish-web";
import { deployCommand, rollbackCommand } from "../../src/cli/release-commands";
import { setupCommands } from "../../src/cli/setup-commands";
import { statusCommand } from "../../src/cli/status";
import { unlockCommand } from "../../src/cli/unlock";
import { verifyCommand } from "../../src/cli/verify";
import { configJsonSchema } from "../../src/config/json-schema";
import { LOGS, REDEPLOY, RUN, SCALE } from "../../src/day2/declarations";
import * as day2 from "../../src/day2/inputs";
import { renderActionManifest } from "../../src/declarations/action-manifest";
import { staleDeclaredFiles, undocumentedUnits } from "../../src/declarations/render";
import { UNITS, unitName } from "../../src/declarations/units";
import { BUILD_IMAGE } from "../../src/images/build-image-declaration";
import { buildImageSchema, parseBuildImageInputs } from "../../src/images/inputs";
import { PROMOTE_IMAGE } from "../../src/images/promote-declaration";
import { parsePromoteImageInputs, promoteImageSchema } from "../../src/images/promote-inputs";
import type { InputDeclaration, UnitDeclaration } from "../../src/lib/declaration";
import { type InputSchema, inputNames, type RawInputs } from "../../src/lib/inputs";
import { TerminalLogger } from "../../src/lib/logger";
import { PREVIEW } from "../../src/preview/declaration";
import { parsePreviewInputs, previewSchema } from "../../src/preview/inputs";
import { PROMOTE_RELEASE } from "../../src/promote/declaration";
import { parsePromoteReleaseInputs, promoteReleaseSchema } from "../../src/promote/inputs";
import { DEPLOY, HISTORY, ROLLBACK, STATUS, UNLOCK } from "../../src/release/declarations";
import { DIFF } from "../../src/release/diff-declaration";
import { diffSchema, parseDiffInputs } from "../../src/release/diff-inputs";
import {
  deploySchema,
  historySchema,
  parseDeployInputs,
  parseHistoryInputs,
  parseRollbackInputs,
  parseStatusInputs,
  parseUnlockInputs,
  rollbackSchema,
  statusSchema,
  unlockSchema,
} from "../../src/release/inputs";
import { DEPLOY_SERVICE } from "../../src/service/declaration";
import { deployServiceSchema, parseDeployServiceInputs } from "../../src/service/inputs";
import { BOOTSTRAP, INIT } from "../../src/setup/declarations";
import * as setup from "../../src/setup/inputs";
import { VERIFY } from "../../src/verify/declaration";
import { parseVerifyInputs, verifyInputSchema } from "../../src/verify/inputs";
import { parsePublishWebInputs, publishWebSchema } from "../../src/web/inputs";
import { INVALIDATE } from "../../src/web/invalidate-declaration";
import { invalidateSchema, parseInvalidateInputs } from "../../src/web/invalidate-inputs";
import { PUBLISH_WEB } from "../../src/web/publish-declaration";
import { REPO_ROOT } from "../helpers/fixtures";

/** A unit with its schema, its parse function and the least raw inputs it accepts. */
interface Parser {
  unit: UnitDeclaration;
  schema: InputSchema;
  parse: (raw: RawInputs) => unknown;
  least: RawInputs;
}

const PARSERS: Parser[] = [
  {
    unit: BUILD_IMAGE,
    schema: buildImageSchema,
    parse: parseBuildImageInputs,
    least: {
      repository: "shipline/api",
      revision: "abc",
      "base-image": `docker.io/library/node@sha256:${"b".repeat(64)}`,
    },
  },
  {
    unit: PROMOTE_IMAGE,
    schema: promoteImageSchema,
    parse: parsePromoteImageInputs,
    least: { repository: "shipline/api", digest: `sha256:${"a".repeat(64)}`, tags: "v1" },
  },
  {
    unit: DEPLOY_SERVICE,
    schema: deployServiceSchema,
    parse: parseDeployServiceInputs,
    least: { cluster: "c", service: "s" },
  },
  {
    unit: PUBLISH_WEB,
    schema: publishWebSchema,
    parse: parsePublishWebInputs,
    least: { source: "dist", bucket: "www-example" },
  },
  {
    unit: INVALIDATE,
    schema: invalidateSchema,
    parse: parseInvalidateInputs,
    least: { "distribution-id": "E2QWRUHAPOMQZL", paths: "/index.html" },
  },
  {
    unit: PREVIEW,
    schema: previewSchema,
    parse: (raw: RawInputs) => parsePreviewInputs(raw, "run-1"),
    least: { bucket: "www-example", source: "dist", "pull-request": "7", revision: "abc" },
  },
  {
    unit: PROMOTE_RELEASE,
    schema: promoteReleaseSchema,
    parse: parsePromoteReleaseInputs,
    least: { from: "staging", to: "production" },
  },
  {
    unit: VERIFY,
    schema: verifyInputSchema,
    parse: parseVerifyInputs,
    least: { environment: "production" },
  },
  ...(
    [
      [DEPLOY, deploySchema, parseDeployInputs],
      [ROLLBACK, rollbackSchema, parseRollbackInputs],
      [DIFF, diffSchema, parseDiffInputs],
      [HISTORY, historySchema, parseHistoryInputs],
      [STATUS, statusSchema, parseStatusInputs],
      [UNLOCK, unlockSchema, parseUnlockInputs],
    ] as const
  ).map(([unit, schema, parse]) => ({
    unit,
    schema,
    parse: parse as (raw: RawInputs) => unknown,
    // deploy's site folder has no default: it is the configuration's or the input's.
    least: {
      environment: "production",
      bucket: "www-example",
      cluster: "c",
      service: "s",
      ...(unit === DEPLOY ? { source: "dist" } : {}),
    },
  })),
  ...(
    [
      [REDEPLOY, day2.redeploySchema, day2.parseRedeployInputs],
      [SCALE, day2.scaleSchema, day2.parseScaleInputs],
      [RUN, day2.runSchema, (raw: RawInputs) => day2.parseRunInputs(raw, ["true"])],
      [LOGS, day2.logsSchema, day2.parseLogsInputs],
    ] as const
  ).map(([unit, schema, parse]) => ({
    unit,
    schema,
    parse: parse as (raw: RawInputs) => unknown,
    least: { environment: "production", bucket: "b", cluster: "c", service: "s", count: "1" },
  })),
  {
    unit: INIT,
    schema: setup.initSchema,
    parse: setup.parseInitInputs,
    least: { cluster: "c", service: "s", bucket: "b" },
  },
  {
    unit: BOOTSTRAP,
    schema: setup.bootstrapSchema,
    parse: setup.parseBootstrapInputs,
    least: { environment: "production", bucket: "b" },
  },
];

describe("one declaration of each input", () => {
  it("every generated action.yml and README table is fresh", async () => {
    expect(
      await staleDeclaredFiles(REPO_ROOT),
      "run: npx tsx actions/scripts/write-declarations.ts",
    ).toEqual([]);
    expect(await undocumentedUnits(REPO_ROOT)).toEqual([]);
  });

  it("a changed declaration makes its action.yml stale", () => {
    const manifest = "name: x\nruns:\n  using: node24\n  main: ../dist/x.mjs\n";
    const before = renderActionManifest(manifest, DEPLOY_SERVICE);
    const changed: UnitDeclaration = {
      ...DEPLOY_SERVICE,
      inputs: {
        ...DEPLOY_SERVICE.inputs,
        "gate-timeout": { ...DEPLOY_SERVICE.inputs["gate-timeout"], default: "10m" },
      },
    };
    expect(renderActionManifest(manifest, changed)).not.toBe(before);
    expect(before).toContain("default: 15m");
  });

  it("every unit is tested here, and its schema parses exactly the declared inputs", () => {
    expect(PARSERS.map(({ unit }) => unitName(unit)).sort()).toEqual(UNITS.map(unitName).sort());
    for (const { unit, schema } of PARSERS) {
      expect(inputNames(schema).sort(), unitName(unit)).toEqual(Object.keys(unit.inputs).sort());
    }
  });

  it.each(PARSERS.map((entry) => [unitName(entry.unit), entry] as const))(
    "%s: each declared default is what the parser takes when the input is not given",
    (_, { unit, parse, least }) => {
      const omitted = parse(least);
      const defaults = Object.entries(unit.inputs).filter(
        // GitHub expressions (${{ … }}) are the runner's to evaluate.
        ([, input]) => input.default !== undefined && !input.default.includes("${{"),
      );
      for (const [name, input] of defaults) {
        expect(parse({ ...least, [name]: input.default }), `${unitName(unit)} ${name}`).toEqual(
          omitted,
        );
      }
    },
  );

  it("the check above has defaults to check", () => {
    const defaults = PARSERS.flatMap(({ unit }) =>
      Object.values(unit.inputs).filter((input) => input.default !== undefined),
    );
    expect(defaults.length).toBeGreaterThan(40);
  });

  it("each command's flags are its declared inputs, deprecated names hidden", () => {
    const program = new Command("shipline");
    const noLogger = () => new TerminalLogger();
    for (const register of [
      buildImageCommand,
      promoteCommand,
      deployServiceCommand,
      publishWebCommand,
      invalidateCommand,
      previewCommand,
      deployCommand,
      rollbackCommand,
      diffCommand,
      promoteReleaseCommand,
      verifyCommand,
      historyCommand,
      statusCommand,
      unlockCommand,
      day2Commands,
      setupCommands,
    ]) {
      register(program, noLogger, {});
    }
    for (const unit of UNITS.filter((item) => item.command)) {
      const command = program.commands.find((item) => item.name() === unit.command);
      const flags = (command?.options ?? [])
        .filter((option) => !option.hidden)
        .map((option) => option.long?.slice(2));
      const declared = Object.entries(unit.inputs)
        .filter(([, input]) => input.cli !== false)
        .map(([name]) => name);
      expect(flags, unit.command).toEqual(declared);
      const hidden = (command?.options ?? []).filter((option) => option.hidden);
      expect(hidden.map((option) => option.long?.slice(2))).toEqual(
        Object.keys(unit.deprecated ?? {}),
      );
    }
  });

  it("the configuration file's schema gives deploy's declared defaults", () => {
    interface SchemaNode {
      description?: string;
      properties?: Record<string, SchemaNode>;
      /** A setting of several forms (`web`: a folder, or an object). */
      anyOf?: SchemaNode[];
    }
    const environment: SchemaNode = JSON.parse(configJsonSchema()).properties.environments
      .additionalProperties;
    const described = (path: string) =>
      path
        .split(".")
        .reduce<SchemaNode | undefined>(
          (node, key) =>
            node?.properties?.[key] ??
            node?.anyOf?.find((form) => form.properties?.[key])?.properties?.[key],
          environment,
        )?.description;
    const keyed = Object.values<InputDeclaration>(DEPLOY.inputs).filter(
      (input) =>
        input.config && input.default !== undefined && input.config !== "ledger-prefix (top level)",
    );
    expect(keyed.map((input) => input.config)).toContain("gate.timeout");
    for (const input of keyed) {
      expect(described(input.config ?? ""), input.config).toContain(`Default ${input.default}.`);
    }
  });

  it("a deprecated flag fills the input that replaced it, with a warning", () => {
    const warnings: string[] = [];
    const flags = flagsOf(DEPLOY_SERVICE);
    const raw = flagsToRawInputs({ pollInterval: "2s", gateTimeout: "4m", timeout: "3m" }, flags, {
      warning: (message) => warnings.push(message),
    });
    expect(raw).toEqual({ "gate-interval": "2s", "gate-timeout": "4m" });
    expect(warnings).toEqual([
      "--poll-interval is deprecated; use --gate-interval",
      "--timeout is deprecated; use --gate-timeout",
    ]);
  });
});
