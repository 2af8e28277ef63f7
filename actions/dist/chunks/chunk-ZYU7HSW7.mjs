import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
var s={now:()=>Date.now(),sleep:e=>new Promise(r=>setTimeout(r,e))};export{s as a};
