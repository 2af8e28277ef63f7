import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b,c,d}from"./chunk-IOLXT4IO.mjs";import"./chunk-Q4ERPTJJ.mjs";import"./chunk-PR246PQL.mjs";import"./chunk-LTJAKMF7.mjs";import"./chunk-6BKHKNRQ.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{d as parsePreviewInputs,b as previewPrefix,c as previewReleaseId,a as previewSchema};
