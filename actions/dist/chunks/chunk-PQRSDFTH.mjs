import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a as n}from"./chunk-353AJ6TW.mjs";async function u(e,t){try{return await e(),n.Success}catch(r){let{explainError:s}=await import("./explain-error-7RYPDV7P.mjs"),o=s(r),i=o?.exitCode??n.Bug;return t.fail(o?.message??a(r)),!o&&r instanceof Error&&r.stack&&t.debug(r.stack),process.exitCode=i,i}}function a(e){return`unexpected error (a bug, or an unexpected answer from a remote service): ${e instanceof Error?e.message:String(e)}`}export{u as a};
