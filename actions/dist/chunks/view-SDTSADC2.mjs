import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b}from"./chunk-2L4RQ2H3.mjs";import"./chunk-GTWDNTO5.mjs";import"./chunk-QKGU742N.mjs";import"./chunk-S4UNYXKI.mjs";export{a as changeLines,b as liveTable};
