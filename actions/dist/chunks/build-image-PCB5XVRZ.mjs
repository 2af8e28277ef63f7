import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{g as a}from"./chunk-GIOPYM6I.mjs";import"./chunk-GCP6ZVHY.mjs";import"./chunk-4VSBJQ7U.mjs";import"./chunk-754KN4RO.mjs";import"./chunk-4ILT2KCC.mjs";import"./chunk-ZZI7WPZM.mjs";import"./chunk-OOPCTHJW.mjs";import"./chunk-7BFKZXHM.mjs";import"./chunk-OKKADUIM.mjs";import"./chunk-5STXNJAG.mjs";import"./chunk-EEAWP5E4.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{a as buildImage};
