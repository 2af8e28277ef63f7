import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b}from"./chunk-O4UEVT4E.mjs";import"./chunk-OJI3TVQ6.mjs";import"./chunk-UOVKBJ4Z.mjs";import"./chunk-NW27U5IA.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{a as DEFAULT_ENVIRONMENT,b as environmentRawInputs};
