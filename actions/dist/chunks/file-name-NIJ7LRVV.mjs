import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a}from"./chunk-QEUHRHWB.mjs";import"./chunk-S4UNYXKI.mjs";export{a as DEFAULT_CONFIG_FILE};
