import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a}from"./chunk-P6BC2OLI.mjs";import"./chunk-SC6TC4WE.mjs";import"./chunk-AFWHY2YN.mjs";import"./chunk-4LVX5EZF.mjs";import"./chunk-VDJNYQNB.mjs";import"./chunk-2GEVVBSO.mjs";import"./chunk-OKKADUIM.mjs";import"./chunk-5STXNJAG.mjs";import"./chunk-EEAWP5E4.mjs";import"./chunk-VIX2HNJS.mjs";import"./chunk-S4UNYXKI.mjs";export{a as buildImage};
