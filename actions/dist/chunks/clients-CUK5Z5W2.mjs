import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a}from"./chunk-FJPZG3DF.mjs";import"./chunk-NUBP4AEF.mjs";import"./chunk-JUV3VNAO.mjs";import"./chunk-A6GLRGER.mjs";import"./chunk-IKU6LQWK.mjs";import"./chunk-MYEU2BBP.mjs";import"./chunk-EYPZTOUI.mjs";import"./chunk-P4FLRHQU.mjs";import"./chunk-4ILT2KCC.mjs";import"./chunk-ZZI7WPZM.mjs";import"./chunk-OOPCTHJW.mjs";import"./chunk-D676EFJW.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{a as createServiceClients};
