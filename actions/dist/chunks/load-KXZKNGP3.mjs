import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b,c,d}from"./chunk-GZI2UIWT.mjs";import"./chunk-FI2IP4B6.mjs";import"./chunk-FIGIZDE2.mjs";import"./chunk-H4L3BRUN.mjs";import"./chunk-QEUHRHWB.mjs";import"./chunk-EJNR5IZN.mjs";import"./chunk-RWXA6FRR.mjs";import"./chunk-B4ZVDCMT.mjs";import"./chunk-A4SKYDLT.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{c as MAX_ALIAS_COUNT,b as MAX_CONFIG_BYTES,d as loadConfig,a as parseConfig};
