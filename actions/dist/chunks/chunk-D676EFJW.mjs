import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
var a=/^(Get|List|Describe|Head|BatchGet|Filter)[A-Z]/;function d(e){return e.middlewareStack.add((n,r)=>i=>{let t=String(r.commandName??"").replace(/Command$/,"");if(!a.test(t))throw new Error(`a dry run tried to call ${t}, which writes; nothing was sent`);return n(i)},{step:"initialize",name:"shiplineDryRunReadOnly",override:!0}),e}function o(e,n){return n?d(e):e}export{d as a,o as b};
