import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{b as a,c as b,d as c,e as d}from"./chunk-BA2XOIZY.mjs";import"./chunk-A7VWDLWX.mjs";import"./chunk-44ZCHOUY.mjs";import"./chunk-QEUHRHWB.mjs";import"./chunk-FIGIZDE2.mjs";import"./chunk-H4L3BRUN.mjs";import"./chunk-SJJEYL4E.mjs";import"./chunk-IGTVROIA.mjs";import"./chunk-EQB243TM.mjs";import"./chunk-A4SKYDLT.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{c as MAX_ALIAS_COUNT,b as MAX_CONFIG_BYTES,d as loadConfig,a as parseConfig};
