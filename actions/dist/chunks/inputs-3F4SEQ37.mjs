import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{b as a,c as b,d as c,e as d,f as e,g as f,h as g}from"./chunk-YHXAM3MV.mjs";import"./chunk-PIV4FERV.mjs";import"./chunk-IGTVROIA.mjs";import"./chunk-EQB243TM.mjs";import"./chunk-A4SKYDLT.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{b as MIN_PART,f as checkPublishSettings,a as distributionIds,g as parsePublishWebInputs,c as publishSettingsShape,d as publishWebSchema,e as rules};
