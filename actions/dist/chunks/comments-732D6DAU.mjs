import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b,c,d}from"./chunk-MH2PGXD2.mjs";import"./chunk-PNUWL4VM.mjs";import"./chunk-S4UNYXKI.mjs";export{a as PREVIEW_MARKER,c as githubHost,b as githubRest,d as previewCommentBody};
