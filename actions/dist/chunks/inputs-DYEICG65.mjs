import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b,c,d}from"./chunk-6NNSESNS.mjs";import"./chunk-O6WZ23KI.mjs";import"./chunk-JWSSCLA6.mjs";import"./chunk-TYKBGEZZ.mjs";import"./chunk-IORK3BBV.mjs";import"./chunk-EJNR5IZN.mjs";import"./chunk-EQB243TM.mjs";import"./chunk-A4SKYDLT.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{c as deployServiceSchema,d as parseDeployServiceInputs,b as parseEnvironmentOverrides,a as parseImageChange};
