import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b,c}from"./chunk-GHIU4V6E.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{b as containerBuildInputs,c as containerBuilds,a as environmentInputs};
