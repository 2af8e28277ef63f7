import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b,c,d}from"./chunk-CSGM5QGA.mjs";import"./chunk-2GEVVBSO.mjs";import"./chunk-OKKADUIM.mjs";import"./chunk-5STXNJAG.mjs";import"./chunk-E4SWCMZL.mjs";import"./chunk-EEAWP5E4.mjs";import"./chunk-FQCOJC5A.mjs";import"./chunk-BQL475C3.mjs";import"./chunk-6BKHKNRQ.mjs";import"./chunk-VIX2HNJS.mjs";import"./chunk-S4UNYXKI.mjs";export{c as buildImageSchema,a as parseBaseImage,d as parseBuildImageInputs,b as parseCommand};
