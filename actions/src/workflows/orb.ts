import { stringify } from "yaml";
import { UNITS } from "../declarations/units";
import type { InputDeclaration, UnitDeclaration } from "../lib/declaration";

/**
 * The CircleCI orb, in CircleCI's unpacked layout (orb/@orb.yml, commands/, jobs/, executors/,
 * examples/): one command per action, named like it, running the same `shipline` subcommand
 * with one parameter per declared input; and jobs for the two pipelines' steps, deploy and
 * rollback. Rendered from the declarations, so an input added to an action reaches the orb.
 * scripts/write-orb.ts writes it; scripts/pack-orb.ts packs it into one orb YAML.
 */

export const ORB_FOLDER = "orb";

/** The CLI the orb runs: `npx shipline@<version>`, the package in packages/cli. */
export interface OrbSettings {
  cliVersion: string;
  image: string;
}

/** The actions, by folder: each is an orb command of the same name. */
const ACTION_UNITS = () =>
  UNITS.filter((unit): unit is UnitDeclaration & { action: string; command: string } =>
    Boolean(unit.action && unit.command),
  );

/** Environment variable carrying a parameter's value into the step: never spliced into the script. */
const envName = (input: string) => `SHIPLINE_ORB_${input.toUpperCase().replaceAll("-", "_")}`;

const isSwitch = (input: InputDeclaration) => input.cli !== false && input.cli?.switch === true;

function parameterOf(input: InputDeclaration): Record<string, unknown> {
  if (isSwitch(input)) {
    return { type: "boolean", default: input.default === "true", description: input.description };
  }
  const lines = input.cli !== false && input.cli?.repeatable ? " One per line." : "";
  return {
    type: "string",
    default: "",
    description: `${input.description}${lines}${input.default !== undefined ? ` Default ${input.default}.` : ""}`,
  };
}

/** The orb command of one action: its inputs as parameters, the CLI's flags built in bash. */
function command(
  unit: UnitDeclaration & { action: string; command: string },
  settings: OrbSettings,
) {
  const inputs = Object.entries(unit.inputs).filter(([, input]) => input.cli !== false);
  // preview's subcommand (publish, destroy, sweep) is an input of the action, a word of the CLI.
  const subcommand = unit.inputs.command?.cli === false ? unit.inputs.command : undefined;
  const parameters: Record<string, unknown> = {};
  if (subcommand) {
    parameters.command = {
      type: "enum",
      enum: ["publish", "destroy", "sweep"],
      default: subcommand.default ?? "publish",
      description: subcommand.description,
    };
  }
  for (const [name, input] of inputs) parameters[name] = parameterOf(input);
  parameters["shipline-version"] = {
    type: "string",
    default: settings.cliVersion,
    description: "The shipline package (npx shipline@<version>) the step runs.",
  };
  const environment: Record<string, string> = {
    SHIPLINE_ORB_VERSION: "<< parameters.shipline-version >>",
  };
  const script = ["set -euo pipefail", `args=(${unit.command})`];
  if (subcommand) {
    environment.SHIPLINE_ORB_COMMAND = "<< parameters.command >>";
    script.push('args+=("$SHIPLINE_ORB_COMMAND")');
  }
  for (const [name, input] of inputs) {
    const variable = envName(name);
    environment[variable] = `<< parameters.${name} >>`;
    if (isSwitch(input)) {
      script.push(`if [ "$${variable}" = "true" ]; then args+=(--${name}); fi`);
    } else if (input.cli !== false && input.cli?.repeatable) {
      script.push(
        `while IFS= read -r line; do if [ -n "$line" ]; then args+=(--${name} "$line"); fi; done <<< "$${variable}"`,
      );
    } else {
      script.push(`if [ -n "$${variable}" ]; then args+=(--${name} "$${variable}"); fi`);
    }
  }
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash array expansion
  script.push('npx --yes "shipline@$SHIPLINE_ORB_VERSION" "${args[@]}"');
  return {
    description: `shipline ${unit.command}: the ${unit.action} action's step (see actions/${unit.action}/README or actions/README.md).`,
    parameters,
    steps: [
      { run: { name: `shipline ${unit.command}`, environment, command: `${script.join("\n")}\n` } },
    ],
  };
}

/** AWS credentials from CircleCI's OIDC token: the SDK exchanges it itself, no stored keys. */
const awsCredentials = {
  description:
    "AWS credentials for the next steps from CircleCI's OIDC token ($CIRCLE_OIDC_TOKEN_V2), for the role whose ARN the named variable holds (the SDK calls AssumeRoleWithWebIdentity; no keys are stored).",
  parameters: {
    "role-arn-variable": {
      type: "env_var_name",
      default: "SHIPLINE_ROLE_ARN",
      description: "The variable (e.g. of a context) holding the role's ARN.",
    },
  },
  steps: [
    {
      run: {
        name: "AWS credentials from CircleCI's OIDC token",
        environment: { SHIPLINE_ORB_ROLE_VARIABLE: "<< parameters.role-arn-variable >>" },
        command: [
          "set -euo pipefail",
          'umask 077; printf "%s" "$CIRCLE_OIDC_TOKEN_V2" > /tmp/aws-web-identity-token',
          `echo 'export AWS_WEB_IDENTITY_TOKEN_FILE=/tmp/aws-web-identity-token' >> "$BASH_ENV"`,
          // biome-ignore lint/suspicious/noTemplateCurlyInString: bash indirect expansion
          'echo "export AWS_ROLE_ARN=${!SHIPLINE_ORB_ROLE_VARIABLE}" >> "$BASH_ENV"',
          `echo "export AWS_ROLE_SESSION_NAME=circleci-$CIRCLE_BUILD_NUM" >> "$BASH_ENV"`,
          "",
        ].join("\n"),
      },
    },
  ],
};

/** A job running one command after checkout and credentials, its parameters passed through. */
function job(name: string, commandSpec: ReturnType<typeof command>) {
  const parameters = {
    "role-arn-variable": awsCredentials.parameters["role-arn-variable"],
    ...commandSpec.parameters,
  };
  const passed = Object.fromEntries(
    Object.keys(commandSpec.parameters).map((key) => [key, `<< parameters.${key} >>`]),
  );
  return {
    description: `Checks out the project, takes AWS credentials from CircleCI's OIDC token and runs shipline ${name} (the configuration file, shipline.yml, gives what the parameters leave out).`,
    executor: "default",
    parameters,
    steps: [
      "checkout",
      { "aws-credentials": { "role-arn-variable": "<< parameters.role-arn-variable >>" } },
      { [name]: passed },
    ],
  };
}

/** The unpacked orb: file path (under orb/) → its YAML text. */
export function renderOrb(settings: OrbSettings): Record<string, string> {
  const header =
    "# Generated by actions/scripts/write-orb.ts from the action declarations; do not edit.\n";
  const files: Record<string, unknown> = {
    "@orb.yml": {
      version: 2.1,
      description:
        "shipline: images to ECR, an ECS rollout gated on the load balancer's health with automatic rollback, the SPA to S3 + CloudFront, a ledger of releases. Commands named like the GitHub Actions, running the shipline command line.",
    },
    "executors/default.yml": {
      description: "Node, for npx shipline.",
      docker: [{ image: settings.image }],
      resource_class: "medium",
    },
    "commands/aws-credentials.yml": awsCredentials,
    "examples/deploy.yml": {
      description:
        "Deploy on every push to main; the role's ARN is in the context shipline-production.",
      usage: {
        version: 2.1,
        orbs: { shipline: `your-namespace/shipline@${settings.cliVersion}` },
        workflows: {
          deploy: {
            jobs: [
              {
                "shipline/deploy": {
                  context: "shipline-production",
                  environment: "production",
                  filters: { branches: { only: "main" } },
                },
              },
            ],
          },
        },
      },
    },
  };
  const commands = new Map(ACTION_UNITS().map((unit) => [unit.action, command(unit, settings)]));
  for (const [name, spec] of commands) files[`commands/${name}.yml`] = spec;
  for (const name of ["deploy", "rollback"]) {
    const spec = commands.get(name);
    if (spec) files[`jobs/${name}.yml`] = job(name, spec);
  }
  return Object.fromEntries(
    Object.entries(files).map(([path, value]) => [
      path,
      header + stringify(value, { blockQuote: "literal", lineWidth: 0 }),
    ]),
  );
}
