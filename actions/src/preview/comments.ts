import { getOctokit } from "@actions/github";

/** Marks shipline's comment so later runs find and update it instead of adding another. */
export const PREVIEW_MARKER = "<!-- shipline-preview -->";

/** What previews need from the code host: one comment per pull request, and which are open. */
export interface PullRequestHost {
  upsertComment(pr: number, body: string): Promise<"created" | "updated" | "unchanged">;
  openPullRequests(): Promise<number[]>;
}

interface Comment {
  id: number;
  body?: string | null;
}

/** The few REST calls used, so tests can hand in a fake. */
export interface GitHubRest {
  listComments(pr: number): Promise<Comment[]>;
  createComment(pr: number, body: string): Promise<void>;
  updateComment(id: number, body: string): Promise<void>;
  listOpenPulls(): Promise<number[]>;
}

export function githubRest(token: string, repository: string, baseUrl?: string): GitHubRest {
  const [owner = "", repo = ""] = repository.split("/");
  const octokit = getOctokit(token, baseUrl ? { baseUrl } : {});
  return {
    listComments: (pr) =>
      octokit.paginate(octokit.rest.issues.listComments, {
        owner,
        repo,
        issue_number: pr,
        per_page: 100,
      }),
    createComment: async (pr, body) => {
      await octokit.rest.issues.createComment({ owner, repo, issue_number: pr, body });
    },
    updateComment: async (id, body) => {
      await octokit.rest.issues.updateComment({ owner, repo, comment_id: id, body });
    },
    listOpenPulls: async () =>
      (
        await octokit.paginate(octokit.rest.pulls.list, {
          owner,
          repo,
          state: "open",
          per_page: 100,
        })
      ).map((pull) => pull.number),
  };
}

/** Pull request comments through the GitHub REST API: find the marked comment, else create it. */
export function githubHost(rest: GitHubRest): PullRequestHost {
  return {
    async upsertComment(pr, body) {
      const marked = `${PREVIEW_MARKER}\n${body}`;
      const existing = (await rest.listComments(pr)).find((comment) =>
        comment.body?.includes(PREVIEW_MARKER),
      );
      if (!existing) {
        await rest.createComment(pr, marked);
        return "created";
      }
      if (existing.body === marked) return "unchanged";
      await rest.updateComment(existing.id, marked);
      return "updated";
    },
    openPullRequests: () => rest.listOpenPulls(),
  };
}

export function previewCommentBody(input: {
  url?: string;
  releaseId: string;
  uploaded: number;
  skipped: number;
}): string {
  return [
    "### Preview",
    "",
    input.url ? `**${input.url}**` : "(no distribution: the preview is in the bucket only)",
    "",
    `Release \`${input.releaseId}\`: ${input.uploaded} file(s) uploaded, ${input.skipped} unchanged. Updated on every push; removed when the pull request closes.`,
  ].join("\n");
}
