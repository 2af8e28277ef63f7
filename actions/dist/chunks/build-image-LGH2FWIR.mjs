import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a}from"./chunk-2PUTCAB6.mjs";import"./chunk-G64JZB5E.mjs";import"./chunk-QBJCLIXV.mjs";import"./chunk-H665PVUO.mjs";import"./chunk-4ILT2KCC.mjs";import"./chunk-ZZI7WPZM.mjs";import"./chunk-OOPCTHJW.mjs";import"./chunk-VD23OUGR.mjs";import"./chunk-5STXNJAG.mjs";import"./chunk-OKKADUIM.mjs";import"./chunk-4DUZP4TI.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{a as buildImage};
