import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a}from"./chunk-Z4UEBT6R.mjs";import"./chunk-IWK3ZYL3.mjs";import"./chunk-KHFKT5LX.mjs";import"./chunk-IKU6LQWK.mjs";import"./chunk-A6GLRGER.mjs";import"./chunk-MYEU2BBP.mjs";import"./chunk-JHCQK3VC.mjs";import"./chunk-ROQUWGXB.mjs";import"./chunk-4ILT2KCC.mjs";import"./chunk-ZZI7WPZM.mjs";import"./chunk-OOPCTHJW.mjs";import"./chunk-D676EFJW.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{a as createServiceClients};
