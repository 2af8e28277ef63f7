import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b,c,d,e,f}from"./chunk-4URQ4FFS.mjs";import"./chunk-XY34JTU3.mjs";import"./chunk-BGFYKQ7T.mjs";import"./chunk-NOZIGYMY.mjs";import"./chunk-2LMMFBD5.mjs";import"./chunk-PIV4FERV.mjs";import"./chunk-X6JCQQZI.mjs";import"./chunk-EQB243TM.mjs";import"./chunk-A4SKYDLT.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{c as hostPreviewUrl,f as parsePreviewInputs,b as previewBasePath,d as previewPrefix,e as previewReleaseId,a as previewSchema};
