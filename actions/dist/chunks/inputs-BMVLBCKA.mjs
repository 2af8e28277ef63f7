import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b,c,d,e,f,g}from"./chunk-OUY7J3LX.mjs";import"./chunk-JFV73YNF.mjs";import"./chunk-H4L3BRUN.mjs";import"./chunk-Q4ERPTJJ.mjs";import"./chunk-PR246PQL.mjs";import"./chunk-LTJAKMF7.mjs";import"./chunk-6BKHKNRQ.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{d as deploySchema,b as historySchema,a as ledgerShape,f as parseDeployInputs,c as parseHistoryInputs,g as parseRollbackInputs,e as rollbackSchema};
