import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b}from"./chunk-RMGURJ7A.mjs";import"./chunk-WEBYTMB5.mjs";import"./chunk-JLSRSPJR.mjs";import"./chunk-S4UNYXKI.mjs";export{a as changeLines,b as liveTable};
