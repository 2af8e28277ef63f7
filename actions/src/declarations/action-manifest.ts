import { isScalar, parseDocument, visit } from "yaml";
import type { InputDeclaration, UnitDeclaration } from "../lib/declaration";

/**
 * An action.yml with its `inputs:` and `outputs:` rewritten from the unit's declaration; its
 * name, description and `runs:` are kept as written.
 */
export function renderActionManifest(current: string, unit: UnitDeclaration): string {
  const document = parseDocument(current);
  document.set("inputs", document.createNode(actionInputs(unit)));
  document.set("outputs", document.createNode(actionOutputs(unit)));
  // Long descriptions as folded blocks (`>-`), which read like prose and need no quoting.
  visit(document, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.value === "description" && isScalar(pair.value)) {
        if (String(pair.value.value).length > 80) pair.value.type = "BLOCK_FOLDED";
      }
    },
  });
  // `runs:` last, as GitHub's own examples have it.
  const runs = document.get("runs");
  document.delete("runs");
  document.set("runs", runs);
  return document.toString({ lineWidth: 100 });
}

function actionInputs(unit: UnitDeclaration): Record<string, Record<string, string | boolean>> {
  const inputs: Record<string, Record<string, string | boolean>> = {};
  for (const [name, input] of Object.entries(unit.inputs)) {
    if (input.action === false) continue;
    inputs[name] = {
      description: describe(input, unit.readsConfig === true),
      ...(input.required ? { required: true } : {}),
      // A default here would always win over the configuration file, so those stay in the docs.
      ...(input.default !== undefined && !(unit.readsConfig && input.config)
        ? { default: input.default }
        : {}),
    };
  }
  for (const [name, replacedBy] of Object.entries(unit.deprecated ?? {})) {
    inputs[name] = {
      description: `Deprecated: use ${replacedBy}, which it still sets when that is not given.`,
      deprecationMessage: `"${name}" is deprecated; use "${replacedBy}".`,
    };
  }
  return inputs;
}

/** The description, with where the value comes from when the configuration file can set it. */
export function describe(input: InputDeclaration, readsConfig: boolean): string {
  if (!readsConfig || !input.config) return input.description;
  const fallback = input.default !== undefined ? `, else ${input.default}` : "";
  return `${input.description} Default: the configuration file's ${input.config}${fallback}.`;
}

function actionOutputs(unit: UnitDeclaration): Record<string, { description: string }> {
  return Object.fromEntries(
    Object.entries(unit.outputs ?? {}).map(([name, description]) => [name, { description }]),
  );
}
