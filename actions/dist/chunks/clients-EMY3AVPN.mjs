import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b}from"./chunk-YZRQKFDM.mjs";import"./chunk-I6OIEPGI.mjs";import"./chunk-GUJOTOEG.mjs";import"./chunk-WWZEC37Q.mjs";import"./chunk-WXZPMMXM.mjs";import"./chunk-V4BA5ZPY.mjs";import"./chunk-K3JZH6ZR.mjs";import"./chunk-X3NVVOCB.mjs";import"./chunk-6PUYZRZT.mjs";import"./chunk-MYEU2BBP.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{b as createCloudFrontClient,a as createS3Client};
