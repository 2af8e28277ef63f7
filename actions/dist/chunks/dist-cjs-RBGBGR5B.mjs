import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a}from"./chunk-EIYBG5I5.mjs";import"./chunk-V4BA5ZPY.mjs";import"./chunk-K3JZH6ZR.mjs";import"./chunk-X3NVVOCB.mjs";import"./chunk-6PUYZRZT.mjs";import"./chunk-S4UNYXKI.mjs";export default a();
