import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b,c,d,e,f,g}from"./chunk-D7IJNEPR.mjs";import"./chunk-DJH2CAYV.mjs";import"./chunk-OB57ZWTX.mjs";import"./chunk-DX4OIUM7.mjs";import"./chunk-VIX2HNJS.mjs";import"./chunk-S4UNYXKI.mjs";export{d as deploySchema,b as historySchema,a as ledgerShape,f as parseDeployInputs,c as parseHistoryInputs,g as parseRollbackInputs,e as rollbackSchema};
