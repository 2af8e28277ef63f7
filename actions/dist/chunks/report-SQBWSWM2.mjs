import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b,c,d,e}from"./chunk-HWNTUO6H.mjs";import"./chunk-SFY7TK5B.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{d as failureOf,b as logDiagnosis,e as reportDeployService,a as reportOutputs,c as reportSummary};
