import type {
  ContainerDefinition,
  HealthCheck,
  KeyValuePair,
  LogConfiguration,
  PortMapping,
  RegisterTaskDefinitionCommandInput,
  Secret,
  TaskDefinition,
} from "@aws-sdk/client-ecs";
import type { READ_ONLY_FIELDS } from "../service/render";

/**
 * The fields of the objects a task definition file is checked against, as the AWS SDK declares
 * them. Each list is checked complete against the SDK's type at compile time: when a new SDK
 * version adds a field, `tsc` fails here until it is listed, so a field ECS accepts is never
 * refused as unknown.
 */

type Complete<T, K extends readonly (keyof T)[]> =
  Exclude<keyof T, K[number]> extends never ? K : { missing: Exclude<keyof T, K[number]> };

const complete =
  <T>() =>
  <const K extends readonly (keyof T)[]>(keys: K & Complete<T, K>): readonly string[] =>
    keys as readonly string[];

export const TASK_DEFINITION_FIELDS = complete<RegisterTaskDefinitionCommandInput>()([
  "family",
  "taskRoleArn",
  "executionRoleArn",
  "networkMode",
  "containerDefinitions",
  "volumes",
  "placementConstraints",
  "requiresCompatibilities",
  "cpu",
  "memory",
  "tags",
  "pidMode",
  "ipcMode",
  "proxyConfiguration",
  "inferenceAccelerators",
  "ephemeralStorage",
  "runtimePlatform",
  "enableFaultInjection",
]);

export const CONTAINER_FIELDS = complete<ContainerDefinition>()([
  "name",
  "image",
  "repositoryCredentials",
  "cpu",
  "memory",
  "memoryReservation",
  "links",
  "portMappings",
  "essential",
  "restartPolicy",
  "entryPoint",
  "command",
  "environment",
  "environmentFiles",
  "mountPoints",
  "volumesFrom",
  "linuxParameters",
  "secrets",
  "dependsOn",
  "startTimeout",
  "stopTimeout",
  "versionConsistency",
  "hostname",
  "user",
  "workingDirectory",
  "disableNetworking",
  "privileged",
  "readonlyRootFilesystem",
  "dnsServers",
  "dnsSearchDomains",
  "extraHosts",
  "dockerSecurityOptions",
  "interactive",
  "pseudoTerminal",
  "dockerLabels",
  "ulimits",
  "logConfiguration",
  "healthCheck",
  "systemControls",
  "resourceRequirements",
  "firelensConfiguration",
  "credentialSpecs",
]);

export const SECRET_FIELDS = complete<Secret>()(["name", "valueFrom"]);

export const KEY_VALUE_FIELDS = complete<KeyValuePair>()(["name", "value"]);

export const HEALTH_CHECK_FIELDS = complete<HealthCheck>()([
  "command",
  "interval",
  "timeout",
  "retries",
  "startPeriod",
]);

export const PORT_MAPPING_FIELDS = complete<PortMapping>()([
  "containerPort",
  "hostPort",
  "protocol",
  "name",
  "appProtocol",
  "containerPortRange",
]);

export const LOG_CONFIGURATION_FIELDS = complete<LogConfiguration>()([
  "logDriver",
  "options",
  "secretOptions",
]);

/**
 * What DescribeTaskDefinition returns that RegisterTaskDefinition does not take: every such field
 * must be among the read-only fields a revision's body drops (checked at compile time).
 */
type DescribedOnly = Exclude<keyof TaskDefinition, keyof RegisterTaskDefinitionCommandInput>;
const _readOnlyComplete: Exclude<DescribedOnly, (typeof READ_ONLY_FIELDS)[number]> extends never
  ? true
  : { missing: Exclude<DescribedOnly, (typeof READ_ONLY_FIELDS)[number]> } = true;
void _readOnlyComplete;
