import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a as c,b as d,c as e,d as f}from"./chunk-BGZLNRUY.mjs";import"./chunk-FI2IP4B6.mjs";import{a,b}from"./chunk-RLVPVU7C.mjs";import"./chunk-B4ZVDCMT.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{c as RELEASE_FORMAT,d as RELEASE_STATUSES,e as TRIGGERS,b as releaseIdOf,f as releaseSchema,a as runContext};
