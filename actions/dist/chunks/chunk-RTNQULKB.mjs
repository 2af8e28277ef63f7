import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{b as e,d as o}from"./chunk-353AJ6TW.mjs";var r={api:{context:"app-api/dist",destination:"/app",layers:"*.wasm *.data",workdir:"/app",cmd:'["node", "/app/server.mjs"]',user:"1000",ports:"3000",env:`NODE_ENV=production
HOST=0.0.0.0
PORT=3000`},nginx:{context:"nginx/templates",destination:"/etc/nginx/templates",user:"101",ports:"8080",env:["NGINX_LISTEN_ADDRESS=0.0.0.0","NGINX_PORT=8080","API_UPSTREAM=127.0.0.1:3000","REAL_IP_FROM=10.0.0.0/8","CLIENT_MAX_BODY_SIZE=1m","PROXY_CONNECT_TIMEOUT=5s","PROXY_SEND_TIMEOUT=60s","PROXY_READ_TIMEOUT=60s"].join(`
`)}};function p(t){if(t===void 0)return{};let n=r[t];if(!n)throw new o(`preset ${e(t)} is not known (expected one of ${Object.keys(r).join(", ")})`);return n}export{p as a};
