import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b,c,d}from"./chunk-VDPU3WLS.mjs";import"./chunk-TK7B6KCE.mjs";import"./chunk-JWSSCLA6.mjs";import"./chunk-REZ3HFAK.mjs";import"./chunk-HLNFP3HJ.mjs";import"./chunk-US4QDGYM.mjs";import"./chunk-X6JCQQZI.mjs";import"./chunk-EQB243TM.mjs";import"./chunk-A4SKYDLT.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{c as deployServiceSchema,d as parseDeployServiceInputs,b as parseEnvironmentOverrides,a as parseImageChange};
