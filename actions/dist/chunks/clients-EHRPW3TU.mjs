import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a}from"./chunk-ES5XNQBI.mjs";import"./chunk-NUZYTS2W.mjs";import"./chunk-BFPI7UHR.mjs";import"./chunk-IGT3KRCY.mjs";import"./chunk-WD2JGBAZ.mjs";import"./chunk-AFWHY2YN.mjs";import"./chunk-4LVX5EZF.mjs";import"./chunk-VDJNYQNB.mjs";import"./chunk-VIX2HNJS.mjs";import"./chunk-S4UNYXKI.mjs";export{a as createServiceClients};
