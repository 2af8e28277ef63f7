import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b,c,d}from"./chunk-GWE77FPH.mjs";import"./chunk-HGCPPQKM.mjs";import"./chunk-66ZK27JO.mjs";import"./chunk-7ZEKM6ND.mjs";import"./chunk-PIV4FERV.mjs";import"./chunk-PLYO6BLA.mjs";import"./chunk-TQBX4VQR.mjs";import"./chunk-LTJAKMF7.mjs";import"./chunk-6BKHKNRQ.mjs";import"./chunk-A4SKYDLT.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{d as parsePreviewInputs,b as previewPrefix,c as previewReleaseId,a as previewSchema};
