import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a as l,d as c}from"./chunk-BHH5OKV6.mjs";import{c as p}from"./chunk-QKGU742N.mjs";function b(r){return{show:(t,e)=>{for(let o of e)r.info(o)},close:()=>{}}}function u(r){let t=0;return{show(e,o){let n=o.filter(s=>!s.startsWith("task "));if(n.length===0&&t>0&&o.length===0)return;let a=c("",l(e.tasks,e.targetGroups)),i=p(a.headers,a.rows),g=t>0?`\x1B[${t}F\x1B[J`:"",h=n.map(s=>`${s}
`).join("");r.write(`${g}${h}${i}
`),t=i.split(`
`).length},close(){t=0}}}export{b as a,u as b};
