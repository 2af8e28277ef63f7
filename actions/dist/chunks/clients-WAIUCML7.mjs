import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a}from"./chunk-TXG3RLDH.mjs";import"./chunk-IUTPEURL.mjs";import"./chunk-HAGKIF3C.mjs";import"./chunk-A6GLRGER.mjs";import"./chunk-XDUHUKCU.mjs";import"./chunk-MYEU2BBP.mjs";import"./chunk-4VSBJQ7U.mjs";import"./chunk-754KN4RO.mjs";import"./chunk-4ILT2KCC.mjs";import"./chunk-ZZI7WPZM.mjs";import"./chunk-OOPCTHJW.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{a as createServiceClients};
