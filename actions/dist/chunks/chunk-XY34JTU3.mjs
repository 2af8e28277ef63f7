import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
var o=/^pr-\d+\./,t="shipline-host:",n=r=>`${t}${r.toLowerCase()}`,p=(r,e)=>`pr-${r}.${e}`,s="previews/",i=(r,e)=>`${r}${s}pr-${e}/`;export{o as a,t as b,n as c,p as d,s as e,i as f};
