import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b,c,d,e,f}from"./chunk-2ISEOZJR.mjs";import"./chunk-Y7ENBHNS.mjs";import"./chunk-6BKHKNRQ.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{a as RELEASE_FORMAT,b as RELEASE_STATUSES,c as TRIGGERS,f as releaseIdOf,d as releaseSchema,e as runContext};
