import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{g as a}from"./chunk-AAL6HIUD.mjs";import"./chunk-2NIHQYNV.mjs";import"./chunk-5STXNJAG.mjs";import"./chunk-EYPZTOUI.mjs";import"./chunk-P4FLRHQU.mjs";import"./chunk-4ILT2KCC.mjs";import"./chunk-ZZI7WPZM.mjs";import"./chunk-OOPCTHJW.mjs";import"./chunk-SQLLC5YK.mjs";import"./chunk-REZ3HFAK.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{a as buildImage};
