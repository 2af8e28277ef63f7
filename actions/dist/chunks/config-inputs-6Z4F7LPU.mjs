import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a}from"./chunk-I5FZU3EQ.mjs";import"./chunk-Z7A4O5PC.mjs";import"./chunk-ATGGB5BG.mjs";import"./chunk-QEUHRHWB.mjs";import"./chunk-NW27U5IA.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{a as previewEnvironmentInputs};
