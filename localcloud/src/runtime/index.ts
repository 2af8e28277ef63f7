export { type CleanupReport, cleanupAll } from "./cleanup";
export { Container, type ExecResult, type ExitStatus } from "./container";
export { CannotPullContainerError, CannotStartContainerError, type PullFailure } from "./errors";
export {
  type HealthCheckSpec,
  type HealthMonitor,
  type HealthStatus,
  startHealthCheck,
} from "./health-check";
export type { LogLine } from "./logs";
export { DEFAULT_NETWORK, type NetworkConfig, type TaskNetwork } from "./network";
export { type ImageConfig, type PulledImage, pullImage } from "./pull";
export type { ImageLocation, RegistryAuth } from "./registry-client";
export { type ContainerSpec, TaskRuntime, type TaskRuntimeOptions } from "./task-runtime";
