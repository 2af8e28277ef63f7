import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b,c,d}from"./chunk-UHRLJ3YL.mjs";import"./chunk-56LJTY2R.mjs";import"./chunk-2GEVVBSO.mjs";import"./chunk-OKKADUIM.mjs";import"./chunk-5STXNJAG.mjs";import"./chunk-E4SWCMZL.mjs";import"./chunk-EEAWP5E4.mjs";import"./chunk-OB57ZWTX.mjs";import"./chunk-DX4OIUM7.mjs";import"./chunk-VIX2HNJS.mjs";import"./chunk-S4UNYXKI.mjs";export{c as deployServiceSchema,d as parseDeployServiceInputs,b as parseEnvironmentOverrides,a as parseImageChange};
