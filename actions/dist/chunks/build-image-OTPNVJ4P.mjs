import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a}from"./chunk-AKG7LOWP.mjs";import"./chunk-PKOFK7RU.mjs";import"./chunk-7ISKRF64.mjs";import"./chunk-MK2RPBJI.mjs";import"./chunk-4ILT2KCC.mjs";import"./chunk-ZZI7WPZM.mjs";import"./chunk-OOPCTHJW.mjs";import"./chunk-NVOA5LVW.mjs";import"./chunk-5STXNJAG.mjs";import"./chunk-OKKADUIM.mjs";import"./chunk-EEAWP5E4.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{a as buildImage};
