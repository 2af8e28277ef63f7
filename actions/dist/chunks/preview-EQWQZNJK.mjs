import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b}from"./chunk-6DUBC6I4.mjs";import"./chunk-QEUHRHWB.mjs";import"./chunk-S4UNYXKI.mjs";export{b as previewConfigInputs,a as previewInputsOf};
