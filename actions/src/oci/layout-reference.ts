/** How an input names an OCI image layout folder: "oci:/path/to/layout[:tag]". */
export const LAYOUT_PREFIX = "oci:";

/** "oci:/path/to/layout[:tag]" → the folder and the tag (ref.name), if any. */
export function parseLayoutReference(text: string): { path: string; tag?: string } {
  const rest = text.slice(LAYOUT_PREFIX.length);
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    return { path: rest.slice(0, colon), tag: rest.slice(colon + 1) };
  }
  return { path: rest };
}
