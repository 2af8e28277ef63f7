import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{c as a}from"./chunk-OQJVWHF2.mjs";import"./chunk-ESQGGV4Z.mjs";import"./chunk-6CQVHXPY.mjs";import"./chunk-5STXNJAG.mjs";import"./chunk-JHCQK3VC.mjs";import"./chunk-ROQUWGXB.mjs";import"./chunk-4ILT2KCC.mjs";import"./chunk-ZZI7WPZM.mjs";import"./chunk-OOPCTHJW.mjs";import"./chunk-CGOEWLTH.mjs";import"./chunk-D6M32OF2.mjs";import"./chunk-REZ3HFAK.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{a as buildImage};
