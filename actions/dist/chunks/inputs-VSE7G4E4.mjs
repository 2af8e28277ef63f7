import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b,c,d}from"./chunk-4OOV4SLV.mjs";import"./chunk-Y45JDIGF.mjs";import"./chunk-ALDWRYOE.mjs";import"./chunk-PIV4FERV.mjs";import"./chunk-XWMBTWHD.mjs";import"./chunk-LTJAKMF7.mjs";import"./chunk-6BKHKNRQ.mjs";import"./chunk-A4SKYDLT.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{d as parsePreviewInputs,b as previewPrefix,c as previewReleaseId,a as previewSchema};
