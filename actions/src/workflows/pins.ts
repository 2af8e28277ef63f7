/**
 * Third-party actions, pinned by full commit SHA (a tag can be moved; a SHA cannot). The version
 * is kept beside it as a comment in the rendered YAML, for humans and update bots.
 */
export const PINNED_ACTIONS = {
  checkout: {
    uses: "actions/checkout",
    sha: "11bd71901bbe5b1630ceea73d27597364c9af683",
    version: "v4.2.2",
  },
  setupNode: {
    uses: "actions/setup-node",
    sha: "39370e3970a6d050c480ffad4ff0ed4d3fdee5af",
    version: "v4.1.0",
  },
  awsCredentials: {
    uses: "aws-actions/configure-aws-credentials",
    sha: "e3dd6a429d7300a6a4c196c26e071d42e0343502",
    version: "v4.0.2",
  },
} as const;

export type PinnedAction = (typeof PINNED_ACTIONS)[keyof typeof PINNED_ACTIONS];

export const usesOf = (action: PinnedAction): string => `${action.uses}@${action.sha}`;
