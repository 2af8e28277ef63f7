import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{createHash as r}from"node:crypto";function s(t){return`sha256:${r("sha256").update(t).digest("hex")}`}var a=/^sha256:[a-f0-9]{64}$/;function i(t){return t.replace(/^sha256:/,"").slice(0,12)}export{s as a,a as b,i as c};
