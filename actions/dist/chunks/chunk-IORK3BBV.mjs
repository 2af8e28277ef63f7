import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
var T=/^sha256:[a-f0-9]{64}$/;export{T as a};
