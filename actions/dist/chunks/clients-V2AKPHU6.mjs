import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a}from"./chunk-FC6AS2S2.mjs";import"./chunk-NSN2XG3I.mjs";import"./chunk-EBHIKEN5.mjs";import"./chunk-A6GLRGER.mjs";import"./chunk-3OCTBTVM.mjs";import"./chunk-MYEU2BBP.mjs";import"./chunk-7ISKRF64.mjs";import"./chunk-MK2RPBJI.mjs";import"./chunk-4ILT2KCC.mjs";import"./chunk-ZZI7WPZM.mjs";import"./chunk-OOPCTHJW.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{a as createServiceClients};
