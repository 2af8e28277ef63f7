import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a}from"./chunk-GQE7356Y.mjs";import"./chunk-LLK6DRJ2.mjs";import"./chunk-RMGURJ7A.mjs";import"./chunk-WEBYTMB5.mjs";import"./chunk-NUZYTS2W.mjs";import"./chunk-BFPI7UHR.mjs";import"./chunk-IGT3KRCY.mjs";import"./chunk-AFWHY2YN.mjs";import"./chunk-4LVX5EZF.mjs";import"./chunk-VDJNYQNB.mjs";import"./chunk-ZYU7HSW7.mjs";import"./chunk-JLSRSPJR.mjs";import"./chunk-VIX2HNJS.mjs";import"./chunk-S4UNYXKI.mjs";export{a as deployService};
