import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b}from"./chunk-NVFYVT3D.mjs";import"./chunk-BHH5OKV6.mjs";import"./chunk-QKGU742N.mjs";import"./chunk-S4UNYXKI.mjs";export{a as changeLines,b as liveTable};
