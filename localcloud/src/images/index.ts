export { type BaseImage, type BuildBaseImageOptions, buildBaseImage } from "./base-image";
export type { BaseImageKind } from "./base-recipes";
export { type LayerEntry, type WrittenLayer, writeLayer } from "./layer-writer";
export * from "./oci-layout";
export { type PushTarget, pushLayout } from "./push";
