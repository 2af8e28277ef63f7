import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a as o}from"./chunk-AV3OWJRN.mjs";import{B as i}from"./chunk-RWXA6FRR.mjs";function u(p,a={},c){let t=Object.fromEntries(i(p).map(e=>[e,o(e)]));for(let[e,r]of Object.entries(a)){let n=o(e);n&&(c?.warning(`input "${e}" is deprecated; use "${r}"`),t[r]||(t[r]=n))}return t}export{u as a};
