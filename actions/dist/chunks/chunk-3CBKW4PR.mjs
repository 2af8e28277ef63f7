import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{w as p}from"./chunk-EQB243TM.mjs";import{a as o}from"./chunk-AV3OWJRN.mjs";function m(a,c={},i){let t=Object.fromEntries(p(a).map(e=>[e,o(e)]));for(let[e,r]of Object.entries(c)){let n=o(e);n&&(i?.warning(`input "${e}" is deprecated; use "${r}"`),t[r]||(t[r]=n))}return t}export{m as a};
