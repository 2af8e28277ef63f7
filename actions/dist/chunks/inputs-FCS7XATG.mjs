import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b,c,d}from"./chunk-TC3SPI34.mjs";import"./chunk-M26SGHMB.mjs";import"./chunk-ZSQPGMXV.mjs";import"./chunk-PIV4FERV.mjs";import"./chunk-HIMNHJTQ.mjs";import"./chunk-EQB243TM.mjs";import"./chunk-A4SKYDLT.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{d as parsePreviewInputs,b as previewPrefix,c as previewReleaseId,a as previewSchema};
