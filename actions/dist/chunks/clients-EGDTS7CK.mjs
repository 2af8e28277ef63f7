import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b}from"./chunk-RADHSQAI.mjs";import"./chunk-DBTOPT7I.mjs";import"./chunk-UJPXOSVV.mjs";import"./chunk-A6GLRGER.mjs";import"./chunk-3OCTBTVM.mjs";import"./chunk-MYEU2BBP.mjs";import"./chunk-MK2RPBJI.mjs";import"./chunk-4ILT2KCC.mjs";import"./chunk-ZZI7WPZM.mjs";import"./chunk-OOPCTHJW.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{b as createCloudFrontClient,a as createS3Client};
