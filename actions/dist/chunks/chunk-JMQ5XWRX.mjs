import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a as i,c as n,h as s}from"./chunk-VIX2HNJS.mjs";async function f(e,r){try{return await e(),i.Success}catch(t){let o=s(t);return r.fail(a(t)),!(t instanceof n)&&t instanceof Error&&t.stack&&r.debug(t.stack),process.exitCode=o,o}}function a(e){return e instanceof n?e.message:`unexpected error (a bug, or an unexpected answer from a remote service): ${e instanceof Error?e.message:String(e)}`}export{f as a};
