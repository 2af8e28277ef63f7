import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{b as a}from"./chunk-AV3OWJRN.mjs";import"./chunk-QKGU742N.mjs";import"./chunk-S4UNYXKI.mjs";export{a as GitHubLogger};
