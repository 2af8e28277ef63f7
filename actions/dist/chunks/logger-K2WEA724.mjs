import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a}from"./chunk-HJE6IS4U.mjs";import"./chunk-QKGU742N.mjs";import"./chunk-S4UNYXKI.mjs";export{a as cliLogger};
