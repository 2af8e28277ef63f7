import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b,c,d,e,f,g}from"./chunk-W7MVH6PU.mjs";import"./chunk-DJH2CAYV.mjs";import"./chunk-FQCOJC5A.mjs";import"./chunk-BQL475C3.mjs";import"./chunk-6BKHKNRQ.mjs";import"./chunk-VIX2HNJS.mjs";import"./chunk-S4UNYXKI.mjs";export{d as deploySchema,b as historySchema,a as ledgerShape,f as parseDeployInputs,c as parseHistoryInputs,g as parseRollbackInputs,e as rollbackSchema};
