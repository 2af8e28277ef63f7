import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b}from"./chunk-FG3LRCRP.mjs";import"./chunk-R656M4OW.mjs";import"./chunk-OJI3TVQ6.mjs";import"./chunk-NW27U5IA.mjs";import"./chunk-VIX2HNJS.mjs";import"./chunk-S4UNYXKI.mjs";export{a as DEFAULT_ENVIRONMENT,b as environmentRawInputs};
