import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b}from"./chunk-5HAV527Y.mjs";import"./chunk-E4SWCMZL.mjs";import"./chunk-EEAWP5E4.mjs";import"./chunk-FQCOJC5A.mjs";import"./chunk-BQL475C3.mjs";import"./chunk-6BKHKNRQ.mjs";import"./chunk-VIX2HNJS.mjs";import"./chunk-S4UNYXKI.mjs";export{b as parsePromoteImageInputs,a as promoteImageSchema};
