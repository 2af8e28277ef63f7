import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b,c,d}from"./chunk-S365PBZX.mjs";import"./chunk-S4UNYXKI.mjs";export{a as PREVIEW_MARKER,c as githubHost,b as githubRest,d as previewCommentBody};
