import { declareUnit } from "../lib/declaration";

/**
 * promote-release: a release that went live in one environment, shipped to another without a
 * build. Both environments come from the configuration file.
 */
export const PROMOTE_RELEASE = declareUnit({
  command: "promote-release",
  readsConfig: true,
  inputs: {
    config: { description: "The configuration file. Default shipline.yml when it exists." },
    from: {
      description: "The environment the release is live in (or was), e.g. staging.",
      required: true,
    },
    to: {
      description:
        "The environment to ship it to, e.g. production. Default SHIPLINE_ENVIRONMENT (the environment the CI job runs in), so one step serves every environment of a parallel stage.",
    },
    release: {
      description:
        'The release of "from" to promote (see `shipline history`). Default the one live there now.',
    },
    commit: {
      description:
        'Promote the newest release of this commit that went live in "from" (a commit SHA, or current: the commit this CI run builds). Default the release live there now.',
    },
    "release-id": {
      description:
        "The id of the release in the target environment. Default the source release's id.",
    },
    "dry-run": {
      description:
        "Check the source release and print the plan; change nothing, no lock and no record (true or false).",
      default: "false",
      cli: { switch: true },
    },
  },
  outputs: {
    "release-id": "The release that is live now in the target environment.",
    "task-definition-arn": "The task definition the target service runs now.",
    images: "container=image@digest lines of what was promoted.",
  },
});
