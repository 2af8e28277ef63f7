import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
var t=/^[a-z0-9][a-z0-9_-]{0,39}$/,E="up to 40 lowercase letters, digits, '_' and '-'";export{t as a,E as b};
