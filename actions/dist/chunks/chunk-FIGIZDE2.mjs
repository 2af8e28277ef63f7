import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
var t={"gate-timeout":{minMs:3e4,maxMs:432e5},"gate-interval":{minMs:1e3,maxMs:3e5},"grace-period":{minMs:0,maxMs:36e5},"lock-ttl":{minMs:6e4,maxMs:864e5},"verify-latency":{minMs:10,maxMs:6e4}};export{t as a};
