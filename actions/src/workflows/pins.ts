/**
 * Third-party actions, pinned by full commit SHA (a tag can be moved; a SHA cannot). The version
 * is kept beside it as a comment in the rendered YAML, for humans and update bots. Each is the
 * current Node 24 release, checked against the action's own repository (the tag's commit and
 * `runs.using: node24` in that commit's action.yml).
 */
export const PINNED_ACTIONS = {
  checkout: {
    uses: "actions/checkout",
    sha: "3d3c42e5aac5ba805825da76410c181273ba90b1",
    version: "v7.0.1",
  },
  setupNode: {
    uses: "actions/setup-node",
    sha: "820762786026740c76f36085b0efc47a31fe5020",
    version: "v7.0.0",
  },
  awsCredentials: {
    uses: "aws-actions/configure-aws-credentials",
    sha: "e6de054238d6b7531b4efff3b6587d9aade6a06c",
    version: "v6.2.3",
  },
  // The preview's built site travels from the job that builds it to the job that publishes it.
  uploadArtifact: {
    uses: "actions/upload-artifact",
    sha: "bbbca2ddaa5d8feaa63e36b76fdaad77386f024f",
    version: "v7.0.0",
  },
  downloadArtifact: {
    uses: "actions/download-artifact",
    sha: "3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c",
    version: "v8.0.1",
  },
} as const;

export type PinnedAction = (typeof PINNED_ACTIONS)[keyof typeof PINNED_ACTIONS];

export const usesOf = (action: PinnedAction): string => `${action.uses}@${action.sha}`;

/**
 * Every `uses:` in a rendered file that is not one of the pins above: a tag, a branch, a short
 * SHA or an unknown action. Empty when all are pinned by full commit SHA.
 */
export function unpinnedUses(text: string): string[] {
  const pinned = new Set(Object.values(PINNED_ACTIONS).map((action) => usesOf(action)));
  return [...text.matchAll(/uses:\s*["']?([^\s"'#]+)/g)]
    .map((match) => match[1] ?? "")
    .filter((uses) => !/@[0-9a-f]{40}$/.test(uses) || !pinned.has(uses));
}
