import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b,c,d}from"./chunk-BGW3NMBQ.mjs";import"./chunk-GTWDNTO5.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{c as failureOf,d as reportDeployService,a as reportOutputs,b as reportSummary};
