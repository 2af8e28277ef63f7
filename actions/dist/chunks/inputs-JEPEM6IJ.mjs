import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b,c}from"./chunk-LZSTLYGZ.mjs";import"./chunk-F3NQ6DRL.mjs";import"./chunk-Y75PYTNT.mjs";import"./chunk-DJH2CAYV.mjs";import"./chunk-FQCOJC5A.mjs";import"./chunk-BQL475C3.mjs";import"./chunk-6BKHKNRQ.mjs";import"./chunk-VIX2HNJS.mjs";import"./chunk-S4UNYXKI.mjs";export{c as parsePreviewInputs,b as previewPrefix,a as previewSchema};
