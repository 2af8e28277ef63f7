import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{c as p,d as l}from"./chunk-SFY7TK5B.mjs";import{c}from"./chunk-QKGU742N.mjs";function b(r){return{show:(t,e)=>{for(let o of e)r.info(o)},close:()=>{}}}function u(r){let t=0;return{show(e,o){let n=o.filter(s=>!s.startsWith("task "));if(n.length===0&&t>0&&o.length===0)return;let a=l("",p(e.tasks,e.targetGroups)),i=c(a.headers,a.rows),g=t>0?`\x1B[${t}F\x1B[J`:"",h=n.map(s=>`${s}
`).join("");r.write(`${g}${h}${i}
`),t=i.split(`
`).length},close(){t=0}}}export{b as a,u as b};
