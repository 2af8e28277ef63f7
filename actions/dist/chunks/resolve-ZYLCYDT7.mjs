import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b}from"./chunk-U4MHX5FZ.mjs";import"./chunk-GHIU4V6E.mjs";import"./chunk-QEUHRHWB.mjs";import"./chunk-NW27U5IA.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{a as DEFAULT_ENVIRONMENT,b as environmentRawInputs};
