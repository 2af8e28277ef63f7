import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b}from"./chunk-SKTVBZPW.mjs";import"./chunk-3BL35PR2.mjs";import"./chunk-B2CG6C7G.mjs";import"./chunk-A6GLRGER.mjs";import"./chunk-IKU6LQWK.mjs";import"./chunk-MYEU2BBP.mjs";import"./chunk-P4FLRHQU.mjs";import"./chunk-4ILT2KCC.mjs";import"./chunk-ZZI7WPZM.mjs";import"./chunk-OOPCTHJW.mjs";import"./chunk-D676EFJW.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{b as createCloudFrontClient,a as createS3Client};
