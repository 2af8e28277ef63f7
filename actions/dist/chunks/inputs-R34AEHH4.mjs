import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b,c,d}from"./chunk-G2EGLPCI.mjs";import"./chunk-VD23OUGR.mjs";import"./chunk-5STXNJAG.mjs";import"./chunk-OKKADUIM.mjs";import"./chunk-I7S5VC7S.mjs";import"./chunk-4DUZP4TI.mjs";import"./chunk-RWXA6FRR.mjs";import"./chunk-B4ZVDCMT.mjs";import"./chunk-A4SKYDLT.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{c as buildImageSchema,a as parseBaseImage,d as parseBuildImageInputs,b as parseCommand};
