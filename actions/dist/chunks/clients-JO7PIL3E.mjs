import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a}from"./chunk-OOGVFDFB.mjs";import"./chunk-ROUTLF7H.mjs";import"./chunk-NBNRI5AR.mjs";import"./chunk-A6GLRGER.mjs";import"./chunk-3OCTBTVM.mjs";import"./chunk-MYEU2BBP.mjs";import"./chunk-QBJCLIXV.mjs";import"./chunk-H665PVUO.mjs";import"./chunk-4ILT2KCC.mjs";import"./chunk-ZZI7WPZM.mjs";import"./chunk-OOPCTHJW.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{a as createServiceClients};
