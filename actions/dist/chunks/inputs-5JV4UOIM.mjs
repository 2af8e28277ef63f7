import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{c as a,d as b,e as c,f as d,g as e,h as f,i as g}from"./chunk-UNWE3BKF.mjs";import"./chunk-PIV4FERV.mjs";import"./chunk-IGTVROIA.mjs";import"./chunk-RWXA6FRR.mjs";import"./chunk-B4ZVDCMT.mjs";import"./chunk-A4SKYDLT.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{b as MIN_PART,f as checkPublishSettings,a as distributionIds,g as parsePublishWebInputs,c as publishSettingsShape,d as publishWebSchema,e as rules};
