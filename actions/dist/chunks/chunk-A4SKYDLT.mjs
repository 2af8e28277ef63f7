import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
function o(n,t){return t}function c(n,t={}){let e={...n};for(let[r,i]of Object.entries(t)){let a=e[r];delete e[r],a?.trim()&&!e[i]?.trim()&&(e[i]=a)}return e}export{o as a,c as b};
