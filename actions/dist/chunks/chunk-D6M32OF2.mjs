import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
var s="oci:";function r(n){let t=n.slice(s.length),e=t.lastIndexOf(":");return e>t.lastIndexOf("/")?{path:t.slice(0,e),tag:t.slice(e+1)}:{path:t}}export{s as a,r as b};
