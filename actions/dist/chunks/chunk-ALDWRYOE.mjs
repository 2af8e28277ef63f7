import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a as W,f as k,g as F}from"./chunk-PIV4FERV.mjs";import{b as N}from"./chunk-XWMBTWHD.mjs";import{A as T,a as f,b as x,c as h,d as z,e as y,f as w,g as $,h as _,i as A,j as v,k as u,l as E,m,p as R,s as O,t as g,u as L,v as b,w as M,x as S}from"./chunk-LTJAKMF7.mjs";import{a as P}from"./chunk-A4SKYDLT.mjs";import{b as i,d as o}from"./chunk-353AJ6TW.mjs";import{readFile as V}from"node:fs/promises";var d="asset-manifest.json",H=h({basePath:y(f()),entryPoints:w(x(f()),[]),immutable:w(x(f()),[]),releaseId:y(f())});async function ue(e){let t=e.find(s=>s.path===d);if(!t)return;let r;try{r=H.parse(JSON.parse(await V(t.absolutePath,"utf8")))}catch(s){throw new o(`${d} in the source folder is not a build manifest ({ entryPoints: [...], immutable: [...] }): ${s.message.split(`
`)[0]}`)}let c=new Set(e.map(s=>s.path)),l=[...r.entryPoints,...r.immutable].filter(s=>!c.has(s));if(l.length>0)throw new o(`${d} names files the source folder does not have: ${l.slice(0,5).map(s=>i(s)).join(", ")}`);return r}var K="shipline-live",U="releases/",de=e=>`${U}${e}/`,q=1024,pe="cloudfront-js-2.0",he=`import cf from 'cloudfront';

const kvs = cf.kvs();

async function handler(event) {
  const request = event.request;
  const uri = request.uri;
  let live;
  try {
    live = await kvs.get('${K}', { format: 'json' });
  } catch (e) {
    return request;
  }
  const assets = live.assets;
  for (let i = 0; i < assets.length; i++) {
    const asset = assets[i];
    if (uri === asset || (asset.endsWith('/') && uri.startsWith(asset))) return request;
  }
  const base = '/${U}' + live.release;
  const last = uri.slice(uri.lastIndexOf('/') + 1);
  if (last === '') request.uri = base + uri + 'index.html';
  else if (last.indexOf('.') === -1) request.uri = base + '/index.html';
  else request.uri = base + uri;
  return request;
}
`;function me(e,t){let r=new Set(t),c=new Set;for(let n of r)for(let a=n.indexOf("/");a!==-1;a=n.indexOf("/",a+1))c.add(n.slice(0,a+1));let l=new Set;for(let n of e){if(r.has(n))continue;let a=n;for(let p=n.indexOf("/");p!==-1;p=n.indexOf("/",p+1)){let I=n.slice(0,p+1);if(!c.has(I)){a=I;break}}l.add(`/${a}`)}let s=[...l].filter(n=>n.endsWith("/"));return[...l].filter(n=>!s.some(a=>a!==n&&n.startsWith(a))).sort()}function ge(e){let t=JSON.stringify({release:e.release,assets:e.assets}),r=new TextEncoder().encode(t).length;if(r>q)throw new o(`the atomic web mode's live pointer for release "${e.release}" would be ${r} bytes, more than a key value store value holds (${q}): it lists ${e.assets.length} hashed asset paths; put the hashed assets in folders of their own (e.g. assets/) so one folder covers them`);return t}function be(e){if(e!==void 0)try{let t=JSON.parse(e);return typeof t.release!="string"||!Array.isArray(t.assets)?void 0:{release:t.release,assets:t.assets.map(String)}}catch{return}}var Z=/^arn:aws[a-z-]*:cloudfront::\d{12}:key-value-store\/[A-Za-z0-9-]+$/,J=/^[A-Za-z0-9_-]{1,64}$/;function C(e,t){if(Z.test(e)||J.test(e))return e;throw new o(`input ${i(t)} ${i(e)} is neither a key value store ARN like "arn:aws:cloudfront::123456789012:key-value-store/0f1e…" nor a store name`)}var j=1024*1024,Q=/^[A-Z0-9]{6,32}$/;function X(){return $(b(),z((e,t)=>{for(let r of e)Q.test(r)||_(t,`${i(r)} is not a CloudFront distribution id like "E2QWRUHAPOMQZL"`);return e}))}var Y={bytes:5*j,why:"S3's smallest multipart part"},G={source:v(),bucket:v(),"distribution-id":X(),"release-id":u(),revision:u(),immutable:b(),exclude:A(e=>{let t=L(e);return t.length>0?t:[d]}),"entry-points":b(),"cache-control":S(),"content-type":S(),"keep-releases":g(3,{min:0,max:100}),"delete-limit":g(1e3,{min:0}),invalidate:m(!0),wait:m(!1),"wait-timeout":R(10*6e4),concurrency:g(16,{min:1,max:64}),"multipart-threshold":O(16*j,Y),"ledger-prefix":E(W),url:u(),region:u(),"dry-run":m(!1)},ee=["invalidate","atomic"],te={"web-mode":M(ee,"invalidate"),"key-value-store":u(),"edge-function":u()},re=h(P(N.inputs,{...G,...te,prefix:E("")})),D=e=>Object.entries(e).map(([t,r])=>({pattern:t,value:r.trim()})),se=/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;function ne(e){let t=[],r=l=>{try{l()}catch(s){if(!(s instanceof o))throw s;t.push(s.message)}};se.test(e.bucket)||t.push(`input "bucket" ${i(e.bucket)} is not an S3 bucket name (3–63 lowercase letters, digits, "." and "-")`);let c=e["ledger-prefix"];if(r(()=>{e.prefix=k(e.prefix,"prefix")}),r(()=>{if(e["ledger-prefix"]=k(c,"ledger-prefix"),e["ledger-prefix"]==="")throw new o('input "ledger-prefix" must not be empty')}),e.prefix.startsWith(e["ledger-prefix"])&&t.push(`input "prefix" ${i(e.prefix)} is inside the ledger prefix ${i(e["ledger-prefix"])}, which is reserved`),e["release-id"]!==void 0&&r(()=>F(e["release-id"])),e.url!==void 0&&!/^https?:\/\/[^/]+/.test(e.url)&&t.push(`input "url" ${i(e.url)} must be an http(s) URL like "https://www.example.com"`),t.length>0)throw new o(t.join(`
`));return e}var ie=/^[A-Za-z0-9_-]{1,64}$/;function oe(e){if(e["web-mode"]!=="atomic")return;let t=e["key-value-store"];if(t===void 0)throw new o('input "key-value-store" is required with web-mode atomic: the CloudFront key value store (ARN or name) that holds the live release');C(t,"key-value-store");let r=e["edge-function"]??`shipline-${e.bucket.replaceAll(".","-")}`.slice(0,64);if(!ie.test(r))throw new o(`input "edge-function" ${i(r)} is not a CloudFront Function name (1–64 letters, digits, "-" and "_")`);e["edge-function"]=r}function Pe(e){let t=ne(T(re,e));return oe(t),{...t,"cache-control":D(t["cache-control"]),"content-type":D(t["content-type"])}}export{ue as a,K as b,U as c,de as d,pe as e,he as f,me as g,ge as h,be as i,Z as j,X as k,Y as l,G as m,ee as n,te as o,re as p,D as q,ne as r,oe as s,Pe as t};
