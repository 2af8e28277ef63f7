import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{g as a}from"./chunk-HA6JHGNO.mjs";import"./chunk-H4WNEKJ6.mjs";import"./chunk-EW7KNGAE.mjs";import"./chunk-Z7J77K3E.mjs";import"./chunk-4ILT2KCC.mjs";import"./chunk-ZZI7WPZM.mjs";import"./chunk-OOPCTHJW.mjs";import"./chunk-7BFKZXHM.mjs";import"./chunk-OKKADUIM.mjs";import"./chunk-5STXNJAG.mjs";import"./chunk-EEAWP5E4.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{a as buildImage};
