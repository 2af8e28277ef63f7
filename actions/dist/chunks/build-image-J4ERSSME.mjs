import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{g as a}from"./chunk-DTAH2TLT.mjs";import"./chunk-6CQVHXPY.mjs";import"./chunk-5STXNJAG.mjs";import"./chunk-JHCQK3VC.mjs";import"./chunk-ROQUWGXB.mjs";import"./chunk-4ILT2KCC.mjs";import"./chunk-ZZI7WPZM.mjs";import"./chunk-OOPCTHJW.mjs";import"./chunk-SQLLC5YK.mjs";import"./chunk-REZ3HFAK.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{a as buildImage};
