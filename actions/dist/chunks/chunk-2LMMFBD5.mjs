import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{b as r,d as e}from"./chunk-353AJ6TW.mjs";var n=/^arn:aws[a-z-]*:cloudfront::\d{12}:key-value-store\/[A-Za-z0-9-]+$/,s=/^[A-Za-z0-9_-]{1,64}$/;function i(t,o){if(n.test(t)||s.test(t))return t;throw new e(`input ${r(o)} ${r(t)} is neither a key value store ARN like "arn:aws:cloudfront::123456789012:key-value-store/0f1e…" nor a store name`)}export{n as a,i as b};
