import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{d as n}from"./chunk-VIX2HNJS.mjs";var i=/^[a-z]{2}(-[a-z]+)+-\d+$/;function r(e={}){if(e.region!==void 0&&!i.test(e.region))throw new n(`region ${JSON.stringify(e.region)} is not an AWS region name like "eu-west-1"`);return{...e.region?{region:e.region}:{},maxAttempts:e.maxAttempts??5,customUserAgent:"shipline"}}function g(e,t={}){return new e(r(t))}export{r as a,g as b};
