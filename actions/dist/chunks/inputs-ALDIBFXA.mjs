import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b,c,d}from"./chunk-YRA4SPYF.mjs";import"./chunk-WB74CEIM.mjs";import"./chunk-JWSSCLA6.mjs";import"./chunk-REZ3HFAK.mjs";import"./chunk-34MDDSQH.mjs";import"./chunk-GQJN4GQS.mjs";import"./chunk-X6JCQQZI.mjs";import"./chunk-EQB243TM.mjs";import"./chunk-A4SKYDLT.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{c as deployServiceSchema,d as parseDeployServiceInputs,b as parseEnvironmentOverrides,a as parseImageChange};
