import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{b as d,d as l}from"./chunk-353AJ6TW.mjs";function c(e,s,o){let n=e.environments[s];if(!n){let t=Object.keys(e.environments).map(r=>d(r));throw new l(`${o}: environments.${s}: no such environment (the file has ${t.join(", ")})`)}let i=t=>t===void 0?void 0:String(t);return{environment:s,region:n.region??e.region,"ledger-prefix":e["ledger-prefix"],cluster:n.cluster,service:n.service,services:n.services?Object.entries(n.services).map(([t,r])=>[`${t}=${r.service}`,...r.cluster?[`cluster=${r.cluster}`]:[],...r["task-definition"]?[`task-definition=${r["task-definition"]}`]:[]].join(" ")).join(`
`):void 0,containers:Object.entries(n.containers).map(([t,r])=>`${t}=${r.repository}`).join(`
`),bucket:n.bucket,"distribution-id":n.distributions.join(`
`),url:n.url,...g(n.web),"gate-timeout":i(n.gate.timeout),"gate-interval":i(n.gate.interval),"healthy-polls":i(n.gate["healthy-polls"]),"grace-period":i(n.gate["grace-period"]),"keep-revisions":i(n["keep-revisions"]),"keep-releases":i(n["keep-releases"]),"lock-ttl":i(n["lock-ttl"]),"release-env":n["release-env"].join(`
`),"task-definition":n["task-definition"]}}function g(e){return e===void 0?{}:typeof e=="string"?{source:e}:{source:e.source,immutable:e.immutable?.join(`
`),"cache-control":u(e["cache-control"]),"content-type":u(e["content-type"])}}function u(e){if(e!==void 0)return Object.entries(e).map(([s,o])=>`${s}=${o}`).join(`
`)}function f(e){if(e!==void 0)return typeof e=="string"?e:JSON.stringify(e)}function p(e){return{repository:e.repository,builder:e.builder,context:e.context,dockerfile:e.dockerfile,target:e.target,"build-args":u(e["build-args"]),"base-image":e["base-image"],destination:e.destination,cmd:f(e.cmd),entrypoint:f(e.entrypoint),workdir:e.workdir,user:e.user,ports:e.ports?.map(String).join(`
`),env:u(e.env),labels:u(e.labels),layers:e.layers?.join(`
`)}}function m(e,s){let o=e.environments[s],n=o?.region??e.region;return Object.fromEntries(Object.entries(o?.containers??{}).map(([i,t])=>[i,{...p(t),...n?{region:n}:{}}]))}export{c as a,p as b,m as c};
