import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a as c,b as d,c as e,d as f}from"./chunk-DKKFRSDA.mjs";import"./chunk-A7VWDLWX.mjs";import{a,b}from"./chunk-RLVPVU7C.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{c as RELEASE_FORMAT,d as RELEASE_STATUSES,e as TRIGGERS,b as releaseIdOf,f as releaseSchema,a as runContext};
