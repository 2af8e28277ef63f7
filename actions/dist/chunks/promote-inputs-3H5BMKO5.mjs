import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b}from"./chunk-JFOXBDFQ.mjs";import"./chunk-4MB7SKEX.mjs";import"./chunk-4DUZP4TI.mjs";import"./chunk-LTJAKMF7.mjs";import"./chunk-6BKHKNRQ.mjs";import"./chunk-A4SKYDLT.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{b as parsePromoteImageInputs,a as promoteImageSchema};
