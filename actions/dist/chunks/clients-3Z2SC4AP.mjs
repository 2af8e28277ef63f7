import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a}from"./chunk-GLXWGG3P.mjs";import"./chunk-TZWO637N.mjs";import"./chunk-NINLVXKM.mjs";import"./chunk-WWZEC37Q.mjs";import"./chunk-WXZPMMXM.mjs";import"./chunk-EIYBG5I5.mjs";import"./chunk-V4BA5ZPY.mjs";import"./chunk-K3JZH6ZR.mjs";import"./chunk-X3NVVOCB.mjs";import"./chunk-6PUYZRZT.mjs";import"./chunk-MYEU2BBP.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{a as createServiceClients};
