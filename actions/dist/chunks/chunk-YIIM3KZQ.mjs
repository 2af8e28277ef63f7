import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
async function c(r,o,i){let t=new Array(r.length),a=0,e,l=async()=>{for(;a<r.length&&!e;){let n=a++;try{t[n]=await i(r[n],n)}catch(h){e??={error:h}}}};if(await Promise.all(Array.from({length:Math.max(1,Math.min(o,r.length))},l)),e)throw e.error;return t}export{c as a};
