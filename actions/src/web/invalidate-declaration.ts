import { declareUnit } from "../lib/declaration";

/** `shipline invalidate`: explicit paths on one or more CloudFront distributions. */
export const INVALIDATE = declareUnit({
  command: "invalidate",
  inputs: {
    "distribution-id": {
      description: "CloudFront distributions, one per line or comma separated.",
      cli: { repeatable: true },
    },
    paths: {
      description: 'Paths to invalidate, e.g. "/index.html" or "/docs/*".',
      cli: { repeatable: true },
    },
    "release-id": {
      description: "Makes the CallerReference repeatable. Default is the commit.",
    },
    revision: {
      description: "The commit, from the CI system (GITHUB_SHA, CIRCLE_SHA1).",
      cli: false,
    },
    wait: {
      description: "Wait until the invalidations complete.",
      default: "false",
      cli: { switch: true },
    },
    "wait-timeout": {
      description: "How long to wait for CloudFront.",
      default: "10m",
    },
    region: {
      description: "AWS region. Default is the SDK's (AWS_REGION).",
    },
  },
});
