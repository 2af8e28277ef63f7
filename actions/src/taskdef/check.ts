import { quote } from "../lib/errors";
import { CONTAINER_NAME, CONTAINER_NAME_RULE } from "../lib/names";
import { READ_ONLY_FIELDS } from "../service/render";
import {
  CONTAINER_FIELDS,
  HEALTH_CHECK_FIELDS,
  KEY_VALUE_FIELDS,
  LOG_CONFIGURATION_FIELDS,
  PORT_MAPPING_FIELDS,
  SECRET_FIELDS,
  TASK_DEFINITION_FIELDS,
} from "./fields";
import type { TaskDefinitionFile } from "./model";

/**
 * Checks a parsed task definition file against the shape of RegisterTaskDefinition's input, as
 * far as a mistake would otherwise surface only once the release holds the lock: unknown and
 * read-only fields, and the types of the fields a deploy most often sets. Pure; returns every
 * problem as `<JSON path>: <what is wrong>` (containers named by their name), or the body.
 */
export function checkTaskDefinition(value: unknown): {
  problems: string[];
  body?: TaskDefinitionFile["body"];
} {
  const problems: string[] = [];
  const problem = (path: string, message: string) => problems.push(`${path}: ${message}`);
  if (!isObject(value)) {
    return { problems: ["(top level): expected an object with family, containerDefinitions, …"] };
  }
  if ("taskDefinition" in value && isObject(value.taskDefinition)) {
    problem(
      "taskDefinition",
      "the file holds DescribeTaskDefinition's answer: keep only what is inside taskDefinition (and remove its read-only fields)",
    );
    return { problems };
  }
  fields(value, "", TASK_DEFINITION_FIELDS, "a task definition", problem);

  const body: Record<string, unknown> = { ...value };
  if (value.family !== undefined) {
    if (typeof value.family !== "string" || !/^[A-Za-z0-9_-]{1,255}$/.test(value.family)) {
      problem(
        "family",
        `expected up to 255 letters, digits, '_' and '-', got ${quote(value.family)}`,
      );
    }
  }
  for (const key of ["cpu", "memory"] as const) {
    const size = value[key];
    if (size === undefined) continue;
    // ECS takes them as strings ("512", "1 vCPU", "1GB"); a YAML number means the same.
    if (typeof size === "number" && Number.isInteger(size) && size > 0) body[key] = String(size);
    else if (typeof size !== "string" || size.trim() === "") {
      problem(key, `expected CPU units or MiB as a string like "512", got ${quote(size)}`);
    }
  }
  const fargate =
    Array.isArray(value.requiresCompatibilities) &&
    value.requiresCompatibilities.includes("FARGATE");
  if (fargate && (value.cpu === undefined || value.memory === undefined)) {
    problem(
      value.cpu === undefined ? "cpu" : "memory",
      "is required with requiresCompatibilities FARGATE (ECS refuses the definition without task-level cpu and memory)",
    );
  }
  for (const key of ["executionRoleArn", "taskRoleArn", "networkMode"] as const) {
    if (value[key] !== undefined && (typeof value[key] !== "string" || value[key] === "")) {
      problem(key, `expected a non-empty string, got ${quote(value[key])}`);
    }
  }

  if (
    value.tags !== undefined &&
    !(
      Array.isArray(value.tags) &&
      value.tags.every(
        (tag) => isObject(tag) && typeof tag.key === "string" && typeof tag.value === "string",
      )
    )
  ) {
    problem(
      "tags",
      'expected a list of {key, value} strings, like [{ key: "team", value: "web" }]',
    );
  }

  const containers = value.containerDefinitions;
  if (!Array.isArray(containers) || containers.length === 0) {
    problem("containerDefinitions", "expected a list of at least one container definition");
    return { problems };
  }
  const names = new Set<string>();
  containers.forEach((container, index) => {
    if (!isObject(container)) {
      problem(`containerDefinitions[${index}]`, "expected a container definition (an object)");
      return;
    }
    const name = container.name;
    const at =
      typeof name === "string" && name !== ""
        ? `containerDefinitions[${name}]`
        : `containerDefinitions[${index}]`;
    if (typeof name !== "string" || !CONTAINER_NAME.test(name)) {
      problem(
        `${at}.name`,
        `expected a container name: ${CONTAINER_NAME_RULE}, got ${quote(name)}`,
      );
    } else if (names.has(name)) {
      problem(`${at}.name`, "names a second container with the same name");
    } else {
      names.add(name);
    }
    checkContainer(container, at, problem);
    const taskMemory = mebibytes(body.memory);
    if (
      taskMemory !== undefined &&
      typeof container.memory === "number" &&
      container.memory > taskMemory
    ) {
      problem(
        `${at}.memory`,
        `${container.memory} MiB is more than the task's memory (${taskMemory} MiB): ECS refuses it`,
      );
    }
    if (
      Array.isArray(container.secrets) &&
      container.secrets.length > 0 &&
      !value.executionRoleArn
    ) {
      problem(
        `${at}.secrets`,
        "ECS reads secrets with the task execution role: set executionRoleArn (ECS refuses the definition without it)",
      );
    }
  });
  return problems.length > 0
    ? { problems }
    : { problems, body: body as TaskDefinitionFile["body"] };
}

type Report = (path: string, message: string) => void;

function checkContainer(container: Record<string, unknown>, at: string, problem: Report): void {
  fields(container, `${at}.`, CONTAINER_FIELDS, "a container definition", problem);
  if (
    container.image !== undefined &&
    (typeof container.image !== "string" || container.image === "")
  ) {
    problem(`${at}.image`, `expected an image reference, got ${quote(container.image)}`);
  }
  for (const key of ["cpu", "memory", "memoryReservation", "startTimeout", "stopTimeout"]) {
    const number = container[key];
    if (number !== undefined && !(Number.isInteger(number) && (number as number) >= 0)) {
      problem(`${at}.${key}`, `expected a whole number, got ${quote(number)}`);
    }
  }
  if (container.essential !== undefined && typeof container.essential !== "boolean") {
    problem(`${at}.essential`, `expected true or false, got ${quote(container.essential)}`);
  }
  for (const key of ["command", "entryPoint"]) {
    const list = container[key];
    if (
      list !== undefined &&
      !(Array.isArray(list) && list.every((item) => typeof item === "string"))
    ) {
      problem(`${at}.${key}`, `expected a list of strings, got ${quote(list)}`);
    }
  }
  namedList(container.environment, `${at}.environment`, KEY_VALUE_FIELDS, "value", problem);
  namedList(container.secrets, `${at}.secrets`, SECRET_FIELDS, "valueFrom", problem);
  if (container.portMappings !== undefined) {
    if (!Array.isArray(container.portMappings)) {
      problem(`${at}.portMappings`, "expected a list of port mappings");
    } else {
      container.portMappings.forEach((mapping, index) => {
        const path = `${at}.portMappings[${index}]`;
        if (!isObject(mapping)) {
          problem(path, "expected a port mapping (an object)");
          return;
        }
        fields(mapping, `${path}.`, PORT_MAPPING_FIELDS, "a port mapping", problem);
        for (const key of ["containerPort", "hostPort"]) {
          const port = mapping[key];
          if (
            port !== undefined &&
            !(Number.isInteger(port) && (port as number) > 0 && (port as number) < 65536)
          ) {
            problem(`${path}.${key}`, `expected a port number, got ${quote(port)}`);
          }
        }
      });
    }
  }
  const health = container.healthCheck;
  if (health !== undefined) {
    if (!isObject(health)) {
      problem(`${at}.healthCheck`, "expected a health check (an object with command, …)");
    } else {
      fields(health, `${at}.healthCheck.`, HEALTH_CHECK_FIELDS, "a health check", problem);
      const command = health.command;
      if (
        !(
          Array.isArray(command) &&
          command.length > 0 &&
          command.every((c) => typeof c === "string")
        )
      ) {
        problem(
          `${at}.healthCheck.command`,
          `expected a list of strings like ["CMD-SHELL", "curl -f http://localhost/ || exit 1"], got ${quote(command)}`,
        );
      }
      for (const key of ["interval", "timeout", "retries", "startPeriod"]) {
        const number = health[key];
        if (number !== undefined && !(Number.isInteger(number) && (number as number) >= 0)) {
          problem(`${at}.healthCheck.${key}`, `expected a whole number, got ${quote(number)}`);
        }
      }
    }
  }
  const log = container.logConfiguration;
  if (log !== undefined) {
    if (!isObject(log)) {
      problem(
        `${at}.logConfiguration`,
        "expected a log configuration (an object with logDriver, …)",
      );
    } else {
      fields(
        log,
        `${at}.logConfiguration.`,
        LOG_CONFIGURATION_FIELDS,
        "a log configuration",
        problem,
      );
      if (typeof log.logDriver !== "string" || log.logDriver === "") {
        problem(
          `${at}.logConfiguration.logDriver`,
          `expected a log driver like "awslogs", got ${quote(log.logDriver)}`,
        );
      }
      if (
        log.options !== undefined &&
        !(isObject(log.options) && Object.values(log.options).every((v) => typeof v === "string"))
      ) {
        problem(
          `${at}.logConfiguration.options`,
          "expected string values (quote numbers and booleans)",
        );
      }
      namedList(
        log.secretOptions,
        `${at}.logConfiguration.secretOptions`,
        SECRET_FIELDS,
        "valueFrom",
        problem,
      );
    }
  }
}

/** A list of {name, <valueKey>} pairs whose names are unique (environment, secrets). */
function namedList(
  list: unknown,
  at: string,
  known: readonly string[],
  valueKey: string,
  problem: Report,
): void {
  if (list === undefined) return;
  if (!Array.isArray(list)) {
    problem(at, `expected a list of {name, ${valueKey}}`);
    return;
  }
  const seen = new Set<string>();
  list.forEach((item, index) => {
    if (!isObject(item) || typeof item.name !== "string" || item.name === "") {
      problem(`${at}[${index}]`, `expected {name, ${valueKey}} with a name`);
      return;
    }
    const path = `${at}[${item.name}]`;
    fields(item, `${path}.`, known, `an entry of ${at.split(".").pop()}`, problem);
    if (typeof item[valueKey] !== "string" || (valueKey === "valueFrom" && item[valueKey] === "")) {
      problem(
        `${path}.${valueKey}`,
        `expected a string (quote numbers and booleans), got ${quote(item[valueKey])}`,
      );
    }
    if (seen.has(item.name)) problem(path, "is given twice");
    seen.add(item.name);
  });
}

/** Reports each key that is read-only or not a field of the object. */
function fields(
  value: Record<string, unknown>,
  prefix: string,
  known: readonly string[],
  what: string,
  problem: Report,
): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    if (prefix === "" && (READ_ONLY_FIELDS as readonly string[]).includes(key)) {
      problem(
        key,
        "is read-only: ECS sets it when it registers a revision (DescribeTaskDefinition returns it); remove it",
      );
    } else {
      problem(`${prefix}${key}`, `unknown field: not part of ${what} in RegisterTaskDefinition`);
    }
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A task-level memory value ("1024", "1GB", "1 GB") in MiB; undefined when it is not one. */
const mebibytes = (value: unknown): number | undefined => {
  const match = /^\s*(\d+)\s*(gb)?\s*$/i.exec(typeof value === "string" ? value : "");
  if (!match) return undefined;
  return Number(match[1]) * (match[2] ? 1024 : 1);
};
