import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a as r}from"./chunk-AV3OWJRN.mjs";import{B as o}from"./chunk-LTJAKMF7.mjs";function n(p){return Object.fromEntries(o(p).map(t=>[t,r(t)]))}export{n as a};
