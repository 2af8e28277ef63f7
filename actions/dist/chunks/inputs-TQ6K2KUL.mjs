import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b,c,d}from"./chunk-HE2JOTFG.mjs";import"./chunk-4QYFLGH7.mjs";import"./chunk-NOZIGYMY.mjs";import"./chunk-2LMMFBD5.mjs";import"./chunk-PIV4FERV.mjs";import"./chunk-X6JCQQZI.mjs";import"./chunk-EQB243TM.mjs";import"./chunk-A4SKYDLT.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{d as parsePreviewInputs,b as previewPrefix,c as previewReleaseId,a as previewSchema};
