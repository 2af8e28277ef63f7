import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{b as p,d}from"./chunk-353AJ6TW.mjs";function c(e,r,s){let n=e.environments[r];if(!n){let i=Object.keys(e.environments).map(u=>p(u));throw new d(`${s}: environments.${r}: no such environment (the file has ${i.join(", ")})`)}let t=i=>i===void 0?void 0:String(i);return{environment:r,region:n.region??e.region,"ledger-prefix":e["ledger-prefix"],cluster:n.cluster,service:n.service,containers:Object.entries(n.containers).map(([i,u])=>`${i}=${u.repository}`).join(`
`),bucket:n.bucket,"distribution-id":n.distributions.join(`
`),url:n.url,...g(n.web),"gate-timeout":t(n.gate.timeout),"gate-interval":t(n.gate.interval),"healthy-polls":t(n.gate["healthy-polls"]),"grace-period":t(n.gate["grace-period"]),"keep-revisions":t(n["keep-revisions"]),"keep-releases":t(n["keep-releases"]),"lock-ttl":t(n["lock-ttl"]),"release-env":n["release-env"].join(`
`)}}function g(e){return e===void 0?{}:typeof e=="string"?{source:e}:{source:e.source,immutable:e.immutable?.join(`
`),"cache-control":o(e["cache-control"]),"content-type":o(e["content-type"])}}function o(e){if(e!==void 0)return Object.entries(e).map(([r,s])=>`${r}=${s}`).join(`
`)}function l(e){if(e!==void 0)return typeof e=="string"?e:JSON.stringify(e)}function f(e){return{repository:e.repository,builder:e.builder,context:e.context,dockerfile:e.dockerfile,target:e.target,"build-args":o(e["build-args"]),"base-image":e["base-image"],destination:e.destination,cmd:l(e.cmd),entrypoint:l(e.entrypoint),workdir:e.workdir,user:e.user,ports:e.ports?.map(String).join(`
`),env:o(e.env),labels:o(e.labels),layers:e.layers?.join(`
`)}}function m(e,r){let s=e.environments[r],n=s?.region??e.region;return Object.fromEntries(Object.entries(s?.containers??{}).map(([t,i])=>[t,{...f(i),...n?{region:n}:{}}]))}export{c as a,f as b,m as c};
