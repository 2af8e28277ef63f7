import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a}from"./chunk-I52KNK3Q.mjs";import"./chunk-5STXNJAG.mjs";import"./chunk-AHFWH2GU.mjs";import"./chunk-QBJCLIXV.mjs";import"./chunk-H665PVUO.mjs";import"./chunk-4ILT2KCC.mjs";import"./chunk-ZZI7WPZM.mjs";import"./chunk-OOPCTHJW.mjs";import"./chunk-SQLLC5YK.mjs";import"./chunk-IORK3BBV.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{a as buildImage};
