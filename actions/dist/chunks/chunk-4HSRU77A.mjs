import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{b as e,c as i,e as n}from"./chunk-PTGLG6DC.mjs";var s={command:"diff",readsConfig:!0,inputs:{config:e.config,environment:e.environment,region:e.region,...i,containers:n.inputs.containers,images:n.inputs.images,"release-env":n.inputs["release-env"],"container-env":n.inputs["container-env"],"task-definition":n.inputs["task-definition"],"release-id":n.inputs["release-id"]}};export{s as a};
