import type { UnitDeclaration } from "../../src/lib/declaration";

/**
 * A stand-in for the Actions runtime (`@actions/core`, and the workflow commands an action uses
 * before it loads it): inputs in; outputs, secrets, warnings, failures and job summaries
 * recorded. A test file mocks both modules with it:
 *
 *   vi.mock("@actions/core", async () => (await import("./actions-core")).actionsCore);
 *   vi.mock("../../src/lib/workflow-commands", async () =>
 *     (await import("./actions-core")).workflowCommands);
 *
 * and reads or resets `actions` (the same object the mock writes to).
 */
export const actions = {
  inputs: {} as Record<string, string>,
  outputs: {} as Record<string, string>,
  secrets: [] as string[],
  warnings: [] as string[],
  failures: [] as string[],
  summaries: [] as unknown[],
  /** Every info, warning and error line, in order. */
  lines: [] as string[],
};

/** Forgets everything recorded and sets the inputs of the next run. */
export function resetActions(inputs: Record<string, string> = {}): void {
  actions.inputs = { ...inputs };
  actions.outputs = {};
  actions.secrets = [];
  actions.warnings = [];
  actions.failures = [];
  actions.summaries = [];
  actions.lines = [];
}

const summary = {
  addHeading: () => summary,
  addTable: (rows: unknown) => {
    actions.summaries.push(rows);
    return summary;
  },
  write: async () => summary,
};

export const actionsCore = {
  getInput: (name: string) => actions.inputs[name] ?? "",
  setOutput: (name: string, value: string) => {
    actions.outputs[name] = value;
  },
  setSecret: (value: string) => {
    actions.secrets.push(value);
  },
  setFailed: (message: string) => {
    actions.failures.push(message);
  },
  info: (message: string) => {
    actions.lines.push(message);
  },
  debug: () => {},
  warning: (message: string) => {
    actions.warnings.push(message);
    actions.lines.push(message);
  },
  error: (message: string) => {
    actions.lines.push(message);
  },
  group: async (_name: string, fn: () => Promise<unknown>) => fn(),
  summary,
};

/** src/lib/workflow-commands: what an action reads and reports while it checks its inputs. */
export const workflowCommands = {
  actionInput: actionsCore.getInput,
  warning: actionsCore.warning,
  debug: actionsCore.debug,
  fail: actionsCore.setFailed,
};

/** Outputs the last run set that the unit's action.yml does not declare. */
export function undeclaredOutputs(unit: UnitDeclaration): string[] {
  return Object.keys(actions.outputs).filter((name) => !(name in (unit.outputs ?? {})));
}
