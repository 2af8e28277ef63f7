import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b,c,d}from"./chunk-T6B666PN.mjs";import"./chunk-GFR2U4R7.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{c as failureOf,d as reportDeployService,a as reportOutputs,b as reportSummary};
