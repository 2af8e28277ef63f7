import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b,c,d,e}from"./chunk-ECUZ2IGI.mjs";import"./chunk-PNUWL4VM.mjs";import"./chunk-DKKFRSDA.mjs";import"./chunk-A7VWDLWX.mjs";import"./chunk-RLVPVU7C.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{a as DeploymentTracker,b as deploymentTracker,d as previewEnvironment,e as trackRelease,c as tracked};
