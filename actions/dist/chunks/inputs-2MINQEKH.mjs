import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a as b,b as c,c as d}from"./chunk-EGUX2JJM.mjs";import"./chunk-CGOEWLTH.mjs";import"./chunk-D6M32OF2.mjs";import"./chunk-ZUOK72BD.mjs";import{a}from"./chunk-JWSSCLA6.mjs";import"./chunk-REZ3HFAK.mjs";import"./chunk-EQB243TM.mjs";import"./chunk-A4SKYDLT.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{c as buildImageSchema,b as parseBaseImage,d as parseBuildImageInputs,a as parseCommand};
