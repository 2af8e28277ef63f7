import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{b as r,d as n}from"./chunk-353AJ6TW.mjs";var e=/^[A-Za-z0-9_-]{1,255}$/,i="up to 255 letters, digits, '_' and '-'";function a(t,o){if(!e.test(t))throw new n(`${o}: container name ${r(t)} must be ${i} (as ECS names containers)`);return t}export{e as a,i as b,a as c};
