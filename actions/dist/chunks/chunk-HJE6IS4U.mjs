import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{b as s}from"./chunk-QKGU742N.mjs";var E=["GITHUB_TOKEN","SHIPLINE_REGISTRY_PASSWORD","AWS_SECRET_ACCESS_KEY","AWS_SESSION_TOKEN"];async function c(n,o){let e=E.flatMap(r=>o[r]?[o[r]]:[]);if(o.GITHUB_ACTIONS==="true"){let{GitHubLogger:r}=await import("./github-logger-TXBUAIXF.mjs");return new r({echoOutputs:!0,runnerMasked:e})}let t=new s({verbose:n.includes("--verbose")||o.RUNNER_DEBUG==="1"});for(let r of e)t.secret(r);return t}export{c as a};
