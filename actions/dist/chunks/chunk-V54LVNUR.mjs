import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{b as o}from"./chunk-74OV3FZA.mjs";var r=["region","ledger-prefix","bucket","distribution-id","immutable","cache-control","content-type","web-mode","key-value-store","edge-function","preview-domain"];async function c(i){let n=await o({},i);if(!n.config)return{};let t={};for(let e of r)n[e]!==void 0&&(t[e]=n[e]);return t}export{c as a};
