import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a}from"./chunk-KLIA66TL.mjs";import"./chunk-66L2TE6Y.mjs";import"./chunk-EIYBG5I5.mjs";import"./chunk-V4BA5ZPY.mjs";import"./chunk-K3JZH6ZR.mjs";import"./chunk-X3NVVOCB.mjs";import"./chunk-6PUYZRZT.mjs";import"./chunk-NVOA5LVW.mjs";import"./chunk-5STXNJAG.mjs";import"./chunk-OKKADUIM.mjs";import"./chunk-EEAWP5E4.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{a as buildImage};
