import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b}from"./chunk-WLVDTPEO.mjs";import"./chunk-QHEMYUFR.mjs";import"./chunk-6VWTWZXW.mjs";import"./chunk-IGT3KRCY.mjs";import"./chunk-WD2JGBAZ.mjs";import"./chunk-4LVX5EZF.mjs";import"./chunk-VDJNYQNB.mjs";import"./chunk-VIX2HNJS.mjs";import"./chunk-S4UNYXKI.mjs";export{b as createCloudFrontClient,a as createS3Client};
