import { declareUnit } from "../lib/declaration";

/** verify: the environment's smoke checks (its `verify:` section) against its public URL. */
export const VERIFY = declareUnit({
  command: "verify",
  readsConfig: true,
  inputs: {
    config: { description: "The configuration file. Default shipline.yml when it exists." },
    environment: {
      description:
        "The environment in the configuration file. Default production (or SHIPLINE_ENVIRONMENT).",
    },
    url: {
      description: "The site's public base URL the checks run against.",
      config: "url",
    },
  },
});
