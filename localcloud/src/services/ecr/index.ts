export { MEDIA_TYPES } from "./manifests";
export { PASSWORD_LIFETIME_MS, REGISTRY_USER, type RegistryPassword } from "./passwords";
export { REGISTRY_SERVICE } from "./registry-server";
export {
  createEcrServiceFactory,
  type EcrService,
  type EcrServiceOptions,
  ecrService,
  type ResolvedManifest,
} from "./service";
