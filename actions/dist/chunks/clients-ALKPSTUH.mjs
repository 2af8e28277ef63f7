import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b}from"./chunk-U3MHICLW.mjs";import"./chunk-YFFJUJC5.mjs";import"./chunk-UQ5DEEJD.mjs";import"./chunk-A6GLRGER.mjs";import"./chunk-XDUHUKCU.mjs";import"./chunk-MYEU2BBP.mjs";import"./chunk-Z7J77K3E.mjs";import"./chunk-4ILT2KCC.mjs";import"./chunk-ZZI7WPZM.mjs";import"./chunk-OOPCTHJW.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{b as createCloudFrontClient,a as createS3Client};
