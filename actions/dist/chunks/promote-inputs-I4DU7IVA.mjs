import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b}from"./chunk-2BCS5ECF.mjs";import"./chunk-4MB7SKEX.mjs";import"./chunk-REZ3HFAK.mjs";import"./chunk-EQB243TM.mjs";import"./chunk-A4SKYDLT.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{b as parsePromoteImageInputs,a as promoteImageSchema};
