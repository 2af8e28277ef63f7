import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{b as e,d as o}from"./chunk-353AJ6TW.mjs";function s(n){if(n.startsWith("[")){let r;try{r=JSON.parse(n)}catch{r=void 0}if(!Array.isArray(r)||!r.every(t=>typeof t=="string")||r.length===0)throw new o(`command ${e(n)} must be a JSON array of strings, like ["node", "/app/server.mjs"]`);return r}return n.split(/\s+/).filter(Boolean)}export{s as a};
