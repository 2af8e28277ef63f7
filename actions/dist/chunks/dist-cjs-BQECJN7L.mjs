import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a}from"./chunk-KNYASFEG.mjs";import"./chunk-ROQUWGXB.mjs";import"./chunk-4ILT2KCC.mjs";import"./chunk-ZZI7WPZM.mjs";import"./chunk-OOPCTHJW.mjs";import"./chunk-S4UNYXKI.mjs";export default a();
