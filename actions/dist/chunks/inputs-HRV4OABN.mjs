import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b,c,d,e}from"./chunk-Z2HBDXZG.mjs";import"./chunk-M7CNK6EN.mjs";import"./chunk-DJH2CAYV.mjs";import"./chunk-OB57ZWTX.mjs";import"./chunk-DX4OIUM7.mjs";import"./chunk-VIX2HNJS.mjs";import"./chunk-S4UNYXKI.mjs";export{d as checkPublishSettings,e as parsePublishWebInputs,a as publishSettingsShape,b as publishWebSchema,c as rules};
