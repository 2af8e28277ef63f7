import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b,c,d}from"./chunk-A4X7SGCL.mjs";import"./chunk-LOYZIDZ6.mjs";import"./chunk-7BFKZXHM.mjs";import"./chunk-OKKADUIM.mjs";import"./chunk-5STXNJAG.mjs";import"./chunk-MHCHIYS5.mjs";import"./chunk-EEAWP5E4.mjs";import"./chunk-LTJAKMF7.mjs";import"./chunk-6BKHKNRQ.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{c as deployServiceSchema,d as parseDeployServiceInputs,b as parseEnvironmentOverrides,a as parseImageChange};
