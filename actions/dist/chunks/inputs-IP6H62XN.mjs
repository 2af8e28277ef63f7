import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b,c}from"./chunk-GV6HXMMO.mjs";import"./chunk-Z2HBDXZG.mjs";import"./chunk-M7CNK6EN.mjs";import"./chunk-DJH2CAYV.mjs";import"./chunk-OB57ZWTX.mjs";import"./chunk-DX4OIUM7.mjs";import"./chunk-VIX2HNJS.mjs";import"./chunk-S4UNYXKI.mjs";export{c as parsePreviewInputs,b as previewPrefix,a as previewSchema};
