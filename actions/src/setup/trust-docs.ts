import { DOCUMENTED_TRUST } from "./trust-policies";

export const TRUST_DOCS_FILE = "workflows/README.md";

/**
 * The docs' trust policy blocks, rewritten from trust-policies.ts between their markers
 * (`<!-- trust:<name> … -->` … `<!-- /trust:<name> -->`), so the README and `shipline bootstrap`
 * show the same policies. Throws when a marker is missing.
 */
export function renderTrustDocs(text: string): string {
  let result = text;
  for (const [name, policy] of Object.entries(DOCUMENTED_TRUST)) {
    const pattern = new RegExp(
      `(<!-- trust:${name} [^\\n]*-->\\n)[\\s\\S]*?(<!-- /trust:${name} -->)`,
    );
    if (!pattern.test(result)) throw new Error(`${TRUST_DOCS_FILE} has no trust:${name} markers`);
    result = result.replace(
      pattern,
      (_, open: string, close: string) =>
        `${open}\`\`\`json\n${JSON.stringify(policy, null, 2)}\n\`\`\`\n${close}`,
    );
  }
  return result;
}
