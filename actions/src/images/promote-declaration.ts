import { declareUnit } from "../lib/declaration";

/** promote-image: another tag for an image already in ECR, by digest, without a rebuild. */
export const PROMOTE_IMAGE = declareUnit({
  action: "promote-image",
  command: "promote",
  inputs: {
    repository: {
      description: "ECR repository, e.g. shipline/api.",
      required: true,
    },
    digest: {
      description: "The image to tag, sha256:...",
      required: true,
    },
    tags: {
      description: "Tags to give it, one per line or comma separated.",
      required: true,
      cli: { repeatable: true },
    },
    region: {
      description: "AWS region. Default is the SDK's (AWS_REGION).",
    },
  },
  outputs: {
    image: "repository-uri@digest.",
    digest: "The digest that was tagged.",
    tags: "The tags, comma separated.",
  },
});
