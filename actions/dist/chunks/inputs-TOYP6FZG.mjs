import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b,c,d}from"./chunk-LFNXBQP2.mjs";import"./chunk-4TDEXBNO.mjs";import"./chunk-YHXAM3MV.mjs";import"./chunk-PIV4FERV.mjs";import"./chunk-IGTVROIA.mjs";import"./chunk-EQB243TM.mjs";import"./chunk-A4SKYDLT.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{d as parsePreviewInputs,b as previewPrefix,c as previewReleaseId,a as previewSchema};
