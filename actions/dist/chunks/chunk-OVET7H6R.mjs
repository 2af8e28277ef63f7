import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{b as i}from"./chunk-EQGNA7US.mjs";var r=["region","ledger-prefix","bucket","distribution-id","immutable","cache-control","content-type","web-mode","key-value-store","edge-function","preview-domain"];async function c(o){let n=await i({},o);if(!n.config)return{};let e={};for(let t of r)n[t]!==void 0&&(e[t]=n[t]);return e["web-mode"]?.trim()!=="atomic"&&delete e["distribution-id"],e}export{c as a};
