import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{b as r}from"./chunk-YBGX27SA.mjs";var m={now:()=>Date.now(),sleep:(n,e)=>new Promise((s,t)=>{if(e?.aborted)return t(r(e));let o=()=>{clearTimeout(i),t(r(e))},i=setTimeout(()=>{e?.removeEventListener("abort",o),s()},n);e?.addEventListener("abort",o,{once:!0})})};export{m as a};
