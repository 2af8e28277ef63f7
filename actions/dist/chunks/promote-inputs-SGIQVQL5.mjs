import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b}from"./chunk-AGSWLPZR.mjs";import"./chunk-4MB7SKEX.mjs";import"./chunk-MHCHIYS5.mjs";import"./chunk-EEAWP5E4.mjs";import"./chunk-RWXA6FRR.mjs";import"./chunk-B4ZVDCMT.mjs";import"./chunk-A4SKYDLT.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{b as parsePromoteImageInputs,a as promoteImageSchema};
