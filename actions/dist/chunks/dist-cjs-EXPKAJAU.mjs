import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a}from"./chunk-AFWHY2YN.mjs";import"./chunk-4LVX5EZF.mjs";import"./chunk-VDJNYQNB.mjs";import"./chunk-S4UNYXKI.mjs";export default a();
