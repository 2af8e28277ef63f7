import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a}from"./chunk-6SJPQSE3.mjs";import"./chunk-TBS7QCLH.mjs";import"./chunk-OIDKQUHS.mjs";import"./chunk-A6GLRGER.mjs";import"./chunk-XDUHUKCU.mjs";import"./chunk-MYEU2BBP.mjs";import"./chunk-EW7KNGAE.mjs";import"./chunk-Z7J77K3E.mjs";import"./chunk-4ILT2KCC.mjs";import"./chunk-ZZI7WPZM.mjs";import"./chunk-OOPCTHJW.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{a as createServiceClients};
