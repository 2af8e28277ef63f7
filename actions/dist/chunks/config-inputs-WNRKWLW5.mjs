import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a}from"./chunk-362XDZEB.mjs";import"./chunk-U4MHX5FZ.mjs";import"./chunk-GHIU4V6E.mjs";import"./chunk-QEUHRHWB.mjs";import"./chunk-NW27U5IA.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{a as previewEnvironmentInputs};
