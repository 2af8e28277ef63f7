import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{g as a}from"./chunk-LOF4RXQH.mjs";import"./chunk-IUWOWL72.mjs";import"./chunk-5STXNJAG.mjs";import"./chunk-EW7KNGAE.mjs";import"./chunk-Z7J77K3E.mjs";import"./chunk-4ILT2KCC.mjs";import"./chunk-ZZI7WPZM.mjs";import"./chunk-OOPCTHJW.mjs";import"./chunk-SQLLC5YK.mjs";import"./chunk-IORK3BBV.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{a as buildImage};
