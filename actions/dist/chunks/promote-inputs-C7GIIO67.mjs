import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b}from"./chunk-4YYI3BIY.mjs";import"./chunk-E4SWCMZL.mjs";import"./chunk-EEAWP5E4.mjs";import"./chunk-OB57ZWTX.mjs";import"./chunk-DX4OIUM7.mjs";import"./chunk-VIX2HNJS.mjs";import"./chunk-S4UNYXKI.mjs";export{b as parsePromoteImageInputs,a as promoteImageSchema};
