import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b,c,d,e}from"./chunk-2EFKPFUA.mjs";import"./chunk-PNUWL4VM.mjs";import"./chunk-TA3VGA4P.mjs";import"./chunk-6XR6AADT.mjs";import"./chunk-Z5EVO7ST.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{a as DeploymentTracker,b as deploymentTracker,d as previewEnvironment,e as trackRelease,c as tracked};
