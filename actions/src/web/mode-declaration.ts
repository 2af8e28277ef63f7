import type { InputDeclarations } from "../lib/declaration";

/**
 * How a web release goes live, declared once for every unit that publishes the site
 * (publish-web, deploy, rollback).
 */
export const WEB_MODE_INPUTS = {
  "web-mode": {
    description:
      'How a web release goes live. "invalidate": entry points at the site\'s root, then a CloudFront invalidation (any distribution). "atomic": each release\'s files under releases/<id>/, and a CloudFront Function reading the live release from a key value store switches them in one write (no invalidation; rollback is one write).',
    default: "invalidate",
  },
  "key-value-store": {
    description:
      "The CloudFront key value store (ARN or name) holding the live release. Required with web-mode atomic.",
  },
  "edge-function": {
    description:
      "The CloudFront Function shipline keeps as the release router in web-mode atomic. Default shipline-<bucket>.",
  },
} satisfies InputDeclarations;
