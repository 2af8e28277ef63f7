import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b,c,d}from"./chunk-22O7MWOS.mjs";import"./chunk-WEBYTMB5.mjs";import"./chunk-VIX2HNJS.mjs";import"./chunk-S4UNYXKI.mjs";export{c as failureOf,d as reportDeployService,a as reportOutputs,b as reportSummary};
