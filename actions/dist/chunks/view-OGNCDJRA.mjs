import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b}from"./chunk-RCM6IF3S.mjs";import"./chunk-SFY7TK5B.mjs";import"./chunk-QKGU742N.mjs";import"./chunk-S4UNYXKI.mjs";export{a as changeLines,b as liveTable};
