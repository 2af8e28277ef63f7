import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{b as a,d as l}from"./chunk-353AJ6TW.mjs";var g="shipline-live",d="releases/",E=e=>`${d}${e}/`,f=1024,m="cloudfront-js-2.0",w=`import cf from 'cloudfront';

const kvs = cf.kvs();

async function handler(event) {
  const request = event.request;
  const uri = request.uri;
  let live;
  try {
    live = await kvs.get('${g}', { format: 'json' });
  } catch (e) {
    return request;
  }
  const assets = live.assets;
  for (let i = 0; i < assets.length; i++) {
    const asset = assets[i];
    if (uri === asset || (asset.endsWith('/') && uri.startsWith(asset))) return request;
  }
  const base = '/${d}' + live.release;
  const last = uri.slice(uri.lastIndexOf('/') + 1);
  if (last === '') request.uri = base + uri + 'index.html';
  else if (last.indexOf('.') === -1) request.uri = base + '/index.html';
  else request.uri = base + uri;
  return request;
}
`;function y(e,s){let n=new Set(s),u=new Set;for(let t of n)for(let r=t.indexOf("/");r!==-1;r=t.indexOf("/",r+1))u.add(t.slice(0,r+1));let o=new Set;for(let t of e){if(n.has(t))continue;let r=t;for(let i=t.indexOf("/");i!==-1;i=t.indexOf("/",i+1)){let c=t.slice(0,i+1);if(!u.has(c)){r=c;break}}o.add(`/${r}`)}let h=[...o].filter(t=>t.endsWith("/"));return[...o].filter(t=>!h.some(r=>r!==t&&t.startsWith(r))).sort()}function $(e){let s=JSON.stringify({release:e.release,assets:e.assets}),n=new TextEncoder().encode(s).length;if(n>f)throw new l(`the atomic web mode's live pointer for release "${e.release}" would be ${n} bytes, more than a key value store value holds (${f}): it lists ${e.assets.length} hashed asset paths; put the hashed assets in folders of their own (e.g. assets/) so one folder covers them`);return s}function O(e){if(e!==void 0)try{let s=JSON.parse(e);return typeof s.release!="string"||!Array.isArray(s.assets)?void 0:{release:s.release,assets:s.assets.map(String)}}catch{return}}var p=/^arn:aws[a-z-]*:cloudfront::\d{12}:key-value-store\/[A-Za-z0-9-]+$/,x=/^[A-Za-z0-9_-]{1,64}$/;function S(e,s){if(p.test(e)||x.test(e))return e;throw new l(`input ${a(s)} ${a(e)} is neither a key value store ARN like "arn:aws:cloudfront::123456789012:key-value-store/0f1e…" nor a store name`)}export{g as a,d as b,E as c,m as d,w as e,y as f,$ as g,O as h,p as i,S as j};
