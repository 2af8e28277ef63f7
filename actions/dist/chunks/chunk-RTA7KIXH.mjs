import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{b as i}from"./chunk-Z7A4O5PC.mjs";var r=["region","ledger-prefix","bucket","distribution-id","immutable","cache-control","content-type","web-mode","key-value-store","edge-function","preview-domain","api","api-environment","cluster","service","containers","gate-timeout","gate-interval","healthy-polls","grace-period"];async function s(o){let e=await i({},o);if(!e.config)return{};let t={};for(let n of r)e[n]!==void 0&&(t[n]=e[n]);return t}export{s as a};
