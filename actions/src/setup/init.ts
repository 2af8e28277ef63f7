import { access, writeFile } from "node:fs/promises";
import { ConfigurationError, quote } from "../lib/errors";
import type { Logger } from "../lib/logger";
import type { InitInputs } from "./inputs";
import { type ReadClients, readService } from "./read-service";
import { renderConfig } from "./render-config";

/**
 * `shipline init`: reads the service and writes the configuration file. An existing file is
 * kept unless --force; --dry-run prints the file and writes nothing.
 */
export async function runInit(
  inputs: InitInputs,
  deps: { clients: ReadClients; logger: Logger },
): Promise<string> {
  // Checked before any AWS call: a kept file is the common mistake, and costs nothing to find.
  if (!inputs["dry-run"] && !inputs.force && (await exists(inputs.config))) {
    throw new ConfigurationError(
      `${quote(inputs.config)} exists already: give --force to replace it, or --dry-run to print the new one`,
    );
  }
  const found = await readService(deps.clients, inputs.cluster, inputs.service);
  const text = renderConfig(found, inputs);
  if (inputs["dry-run"]) {
    deps.logger.info(text.trimEnd());
    return text;
  }
  await writeFile(inputs.config, text);
  const rolled = found.containers.filter((container) => container.repository).map((c) => c.name);
  deps.logger.info(
    `wrote ${inputs.config}: environment ${inputs.environment}, ${found.cluster}/${found.service}, containers ${rolled.join(", ")}`,
  );
  return text;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
