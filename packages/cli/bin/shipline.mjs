#!/usr/bin/env node
// The committed bundle is the whole command line: no dependencies to install, no build step.
import "../dist/shipline.mjs";
