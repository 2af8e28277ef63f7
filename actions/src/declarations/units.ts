import { LOGS, REDEPLOY, RUN, SCALE } from "../day2/declarations";
import { BUILD_IMAGE } from "../images/build-image-declaration";
import { PROMOTE_IMAGE } from "../images/promote-declaration";
import type { UnitDeclaration } from "../lib/declaration";
import { PREVIEW } from "../preview/declaration";
import { PROMOTE_RELEASE } from "../promote/declaration";
import { DEPLOY, HISTORY, ROLLBACK, STATUS, UNLOCK } from "../release/declarations";
import { DIFF } from "../release/diff-declaration";
import { DEPLOY_SERVICE } from "../service/declaration";
import { BOOTSTRAP, INIT } from "../setup/declarations";
import { VERIFY } from "../verify/declaration";
import { INVALIDATE } from "../web/invalidate-declaration";
import { PUBLISH_WEB } from "../web/publish-declaration";

/** Every unit, in the order the docs present them. */
export const UNITS: UnitDeclaration[] = [
  BUILD_IMAGE,
  PROMOTE_IMAGE,
  DEPLOY_SERVICE,
  PUBLISH_WEB,
  INVALIDATE,
  PREVIEW,
  DEPLOY,
  ROLLBACK,
  DIFF,
  PROMOTE_RELEASE,
  VERIFY,
  HISTORY,
  STATUS,
  UNLOCK,
  REDEPLOY,
  SCALE,
  RUN,
  LOGS,
  INIT,
  BOOTSTRAP,
];

/** The name a unit goes by in the docs and README markers: its action, else its command. */
export function unitName(unit: UnitDeclaration): string {
  const name = unit.action ?? unit.command;
  if (!name) throw new Error("a unit declares neither an action nor a command");
  return name;
}
