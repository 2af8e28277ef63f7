import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{b as a,c as b,d as c}from"./chunk-XDUHUKCU.mjs";import"./chunk-MYEU2BBP.mjs";import"./chunk-ZZI7WPZM.mjs";import"./chunk-OOPCTHJW.mjs";import"./chunk-353AJ6TW.mjs";import"./chunk-S4UNYXKI.mjs";export{a as DEFAULT_MAX_ATTEMPTS,b as awsClientConfig,c as createClient};
