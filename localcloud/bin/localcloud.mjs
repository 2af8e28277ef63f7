#!/usr/bin/env node
// Runs the TypeScript CLI directly (no build step for the local stand-in).
import { register } from "tsx/esm/api";

register();
await import("../src/cli.ts");
