import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b,c,d}from"./chunk-CS36D5C2.mjs";import"./chunk-7BFKZXHM.mjs";import"./chunk-OKKADUIM.mjs";import"./chunk-5STXNJAG.mjs";import"./chunk-44ZCHOUY.mjs";import"./chunk-MHCHIYS5.mjs";import"./chunk-EEAWP5E4.mjs";import"./chunk-RWXA6FRR.mjs";import"./chunk-B4ZVDCMT.mjs";import"./chunk-A4SKYDLT.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{c as buildImageSchema,a as parseBaseImage,d as parseBuildImageInputs,b as parseCommand};
