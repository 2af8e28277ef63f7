import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b}from"./chunk-64SWIY6H.mjs";import"./chunk-CKZJKEXI.mjs";import"./chunk-TC34EVU5.mjs";import"./chunk-A6GLRGER.mjs";import"./chunk-3OCTBTVM.mjs";import"./chunk-MYEU2BBP.mjs";import"./chunk-H665PVUO.mjs";import"./chunk-4ILT2KCC.mjs";import"./chunk-ZZI7WPZM.mjs";import"./chunk-OOPCTHJW.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{b as createCloudFrontClient,a as createS3Client};
