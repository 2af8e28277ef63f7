import { declareUnit } from "../lib/declaration";

/** build-image: one image pushed to a registry, reproducibly, uploading only what changed. */
export const BUILD_IMAGE = declareUnit({
  action: "build-image",
  command: "build-image",
  inputs: {
    builder: {
      description:
        "oci (no Docker engine), buildah (a Dockerfile built without a daemon, pushed like oci) or docker (docker buildx build --push).",
      default: "oci",
    },
    registry: {
      description:
        "Registry host or URL. Empty means Amazon ECR of the current account and region.",
    },
    container: {
      description:
        "Take the image's build settings from this container of the configuration file (SHIPLINE_CONFIG, environment SHIPLINE_ENVIRONMENT); flags override them.",
      action: false,
    },
    layout: {
      description:
        "Write the image into this folder as an OCI image layout instead of pushing it (oci, buildah): no registry and no credentials, e.g. in a pull request's build job; the job that holds the credentials pushes it (preview's image-layouts). The tags become the layout's ref names.",
    },
    "registry-username": {
      description:
        "User for a registry other than ECR; its password is registry-password (SHIPLINE_REGISTRY_PASSWORD on the command line).",
    },
    "registry-password": {
      description: "Password for a registry other than ECR (masked). ECR needs none.",
      cli: false,
    },
    region: {
      description:
        "AWS region. Default is the SDK's (AWS_REGION, as set by configure-aws-credentials).",
    },
    repository: {
      description: "Target repository, e.g. shipline/api. For ECR it must exist.",
      required: true,
    },
    tags: {
      description: "Tags to push, one per line or comma separated. Default is the commit SHA.",
      cli: { repeatable: true },
    },
    "previous-tag": {
      description:
        "Tag of the previous build (e.g. main). When the layer is unchanged it is reused as is.",
    },
    context: {
      description: "Folder that becomes the layer (oci), or the build context (buildah, docker).",
      default: ".",
    },
    destination: {
      description: "Where the folder goes inside the image (oci).",
      default: "/app",
    },
    layers: {
      description:
        'Split the folder into several layers (oci), so what rarely changes is reused as is: one line per layer, bottom first, of glob patterns separated by spaces, matched against paths in the folder (a pattern without a slash matches file names at any depth), e.g. "*.wasm *.data". Files that no line matches go into one last layer. Empty: one layer.',
      cli: { repeatable: true },
    },
    "base-image": {
      description:
        "Base image (oci), pinned by digest when pushed: registry/repo:tag, registry/repo@sha256:..., or oci:<layout folder>[:tag].",
    },
    platform: {
      description: "Platform to take from a multi-platform base, os/arch[/variant].",
      default: "linux/amd64",
    },
    entrypoint: {
      description: "Entry point, as a JSON array or words.",
    },
    cmd: {
      description: 'Command, as a JSON array (e.g. ["node", "/app/server.mjs"]) or words.',
    },
    env: {
      description: "KEY=VALUE lines added to the environment.",
      cli: { repeatable: true },
    },
    workdir: {
      description: "Working directory.",
    },
    user: {
      description: "User, a name or uid[:gid].",
    },
    ports: {
      description: "Exposed ports, e.g. 3000 or 53/udp, one per line or comma separated.",
      cli: { repeatable: true },
    },
    labels: {
      description: "KEY=VALUE lines added to the labels.",
      cli: { repeatable: true },
    },
    "source-date-epoch": {
      description:
        "Timestamp (seconds) used for every file and date in the image. Default SOURCE_DATE_EPOCH, else 0.",
    },
    "source-url": {
      description:
        "Repository URL for org.opencontainers.image.source. Default is this repository.",
    },
    revision: {
      description:
        "Commit for org.opencontainers.image.revision. Default is the workflow's commit.",
    },
    "mount-from": {
      description:
        "Sibling repositories of the same registry to mount blobs from instead of uploading.",
      cli: { repeatable: true },
    },
    dockerfile: {
      description:
        "Dockerfile (buildah, docker), relative to the working directory (buildah then also looks in the context).",
      default: "Dockerfile",
    },
    target: {
      description: "Stage of a multi-stage Dockerfile to build (buildah, docker). Empty: the last.",
    },
    "build-args": {
      description: "KEY=VALUE build arguments (buildah, docker). Only the names are logged.",
      cli: { repeatable: true },
    },
    "cache-dir": {
      description:
        "Folder where buildah keeps its images and the layer cache (--layers) between builds, so unchanged steps are not run again (buildah). Default: shipline-buildah in the temporary folder.",
    },
    "cache-repository": {
      description:
        "Repository of the same registry where buildah stores each step's layers (--cache-to) and looks them up (--cache-from), so a clean machine skips the steps whose inputs did not change (buildah). It should be mutable; for ECR it must exist. Empty: only the local layer cache.",
    },
    "dry-run": {
      description: "Show what would be pushed; push nothing.",
      default: "false",
      cli: { switch: true },
    },
  },
  outputs: {
    image: "The image by digest, registry/repository@sha256:..., for task definitions.",
    digest: "The manifest digest.",
    tags: "The tags now pointing at the image, comma separated.",
    "uploaded-blobs": "How many blobs were uploaded (0 when nothing changed).",
    "uploaded-bytes": "Bytes uploaded.",
    blobs:
      "JSON array, per blob, of role, digest, size, outcome (skipped, mounted, uploaded) and bytes sent.",
  },
});
