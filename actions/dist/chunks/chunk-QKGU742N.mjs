import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
var n=class{values=new Set;add(r){r&&this.values.add(r)}redact(r){let e=r;for(let i of[...this.values].sort((t,s)=>s.length-t.length))e=e.split(i).join("***");return e}};var g=class{secrets=new n;out;err;verbose;constructor(r={}){this.out=r.out??process.stdout,this.err=r.err??process.stderr,this.verbose=r.verbose??!1}info(r){this.write(this.out,r)}warning(r){this.write(this.err,`warning: ${r}`)}error(r){this.write(this.err,`error: ${r}`)}debug(r){this.verbose&&this.write(this.err,`debug: ${r}`)}async group(r,e){return this.write(this.out,`== ${r}`),e()}secret(r){this.secrets.add(r)}output(r,e){this.write(this.out,`${r}=${e}`)}async summary(r){this.write(this.out,`
${r.title}
${d(r.headers,r.rows)}`)}fail(r){this.error(r)}write(r,e){r.write(`${this.secrets.redact(e)}
`)}};function d(o,r){let e=o.map((t,s)=>Math.max(t.length,...r.map(a=>(a[s]??"").length))),i=t=>t.map((s,a)=>s.padEnd(e[a]??0)).join("  ").trimEnd();return[i(o),i(e.map(t=>"-".repeat(t))),...r.map(i)].join(`
`)}export{n as a,g as b,d as c};
