import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b,c,d}from"./chunk-EA3ENJPM.mjs";import"./chunk-2CAW54U4.mjs";import"./chunk-JWSSCLA6.mjs";import"./chunk-REZ3HFAK.mjs";import"./chunk-4BEHFJBE.mjs";import"./chunk-X6JCQQZI.mjs";import"./chunk-EQB243TM.mjs";import"./chunk-A4SKYDLT.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{c as deployServiceSchema,d as parseDeployServiceInputs,b as parseEnvironmentOverrides,a as parseImageChange};
