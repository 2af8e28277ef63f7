import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
var a=class{secrets=new Set;out;err;verbose;constructor(r={}){this.out=r.out??process.stdout,this.err=r.err??process.stderr,this.verbose=r.verbose??!1}info(r){this.write(this.out,r)}warning(r){this.write(this.err,`warning: ${r}`)}error(r){this.write(this.err,`error: ${r}`)}debug(r){this.verbose&&this.write(this.err,`debug: ${r}`)}async group(r,e){return this.write(this.out,`== ${r}`),e()}secret(r){r&&this.secrets.add(r)}output(r,e){this.write(this.out,`${r}=${e}`)}async summary(r){this.write(this.out,`
${r.title}
${g(r.headers,r.rows)}`)}fail(r){this.error(r)}write(r,e){let t=e;for(let i of this.secrets)t=t.split(i).join("***");r.write(`${t}
`)}};function g(s,r){let e=s.map((i,o)=>Math.max(i.length,...r.map(n=>(n[o]??"").length))),t=i=>i.map((o,n)=>o.padEnd(e[n]??0)).join("  ").trimEnd();return[t(s),t(e.map(i=>"-".repeat(i))),...r.map(t)].join(`
`)}export{a,g as b};
