/**
 * What registering one task definition instead of another changes, field by field, as JSON paths
 * (`containerDefinitions[api].memory: 512 → 1024`). Pure. Lists whose items have a name
 * (containers, environment, secrets, …) are matched by name, so reordering them changes nothing
 * and a change names the item; other lists of objects are compared item by item, lists of plain
 * values as a whole. What ECS fills in by default when a field is left out (an empty list, a
 * container's `essential: true`, a port mapping's `protocol: "tcp"`) is no change.
 */

export interface FieldChange {
  path: string;
  /** Undefined: the field is absent on that side. */
  before?: unknown;
  after?: unknown;
}

export function diffTaskDefinitions(live: unknown, next: unknown): FieldChange[] {
  const changes: FieldChange[] = [];
  compare(normalize(live), normalize(next), "", changes);
  return changes;
}

/** One line per change, as `diff` and `deploy --dry-run` print them. */
export function formatChange(change: FieldChange): string {
  return `${change.path}: ${show(change.before)} → ${show(change.after)}`;
}

function show(value: unknown): string {
  if (value === undefined) return "(none)";
  if (typeof value === "string")
    return value === "" || /^\s|\s$/.test(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value);
}

function compare(before: unknown, after: unknown, path: string, changes: FieldChange[]): void {
  if (same(before, after)) return;
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const key of keys) {
      compare(before[key], after[key], path === "" ? key : `${path}.${key}`, changes);
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    if (named(before) && named(after)) {
      const names = [
        ...new Set([...before.map((item) => item.name), ...after.map((item) => item.name)]),
      ];
      for (const name of names) {
        compare(
          before.find((item) => item.name === name),
          after.find((item) => item.name === name),
          `${path}[${name}]`,
          changes,
        );
      }
      return;
    }
    if (before.every(isObject) && after.every(isObject)) {
      for (let index = 0; index < Math.max(before.length, after.length); index++) {
        compare(before[index], after[index], `${path}[${index}]`, changes);
      }
      return;
    }
  }
  changes.push({
    path: path || "(top level)",
    ...(before !== undefined ? { before } : {}),
    ...(after !== undefined ? { after } : {}),
  });
}

/** Every item an object with a string name, no name twice. */
function named(list: unknown[]): list is Array<Record<string, unknown> & { name: string }> {
  const names = list.map((item) => (isObject(item) ? item.name : undefined));
  return names.every((name) => typeof name === "string") && new Set(names).size === names.length;
}

/**
 * A copy without what does not change the task: undefined members, empty lists and objects, and
 * the defaults ECS itself fills in for a field left out.
 */
function normalize(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(normalize).filter((item) => item !== undefined);
    return items.length > 0 ? items : undefined;
  }
  if (!isObject(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    const normalized = normalize(member);
    if (normalized !== undefined) copy[key] = normalized;
  }
  const containers = copy.containerDefinitions;
  if (Array.isArray(containers)) {
    copy.containerDefinitions = containers.map((container) =>
      isObject(container) ? withoutDefaults(container, copy.networkMode) : container,
    );
  }
  return Object.keys(copy).length > 0 ? copy : undefined;
}

function withoutDefaults(container: Record<string, unknown>, networkMode: unknown) {
  const copy = { ...container };
  if (copy.essential === true) delete copy.essential;
  if (copy.cpu === 0) delete copy.cpu;
  if (Array.isArray(copy.portMappings)) {
    copy.portMappings = copy.portMappings.map((mapping) => {
      if (!isObject(mapping)) return mapping;
      const clean = { ...mapping };
      if (clean.protocol === "tcp") delete clean.protocol;
      // In awsvpc mode the host port is the container port, whether given or not.
      if (networkMode === "awsvpc" && clean.hostPort === clean.containerPort) delete clean.hostPort;
      return clean;
    });
  }
  return copy;
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, index) => same(item, b[index]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => same(a[key], b[key]));
  }
  return false;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
