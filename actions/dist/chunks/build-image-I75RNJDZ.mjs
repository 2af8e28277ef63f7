import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{g as a}from"./chunk-I7TZ6C3I.mjs";import"./chunk-WRJT47XT.mjs";import"./chunk-EYPZTOUI.mjs";import"./chunk-P4FLRHQU.mjs";import"./chunk-4ILT2KCC.mjs";import"./chunk-ZZI7WPZM.mjs";import"./chunk-OOPCTHJW.mjs";import"./chunk-VD23OUGR.mjs";import"./chunk-5STXNJAG.mjs";import"./chunk-OKKADUIM.mjs";import"./chunk-4DUZP4TI.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{a as buildImage};
