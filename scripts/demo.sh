#!/usr/bin/env bash
# `npm run demo`: installs what is missing, then builds the sample stack and serves
# it on this machine (nginx/demo/main.ts). `npm run demo -- --once` checks it and exits.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec npx tsx nginx/demo/main.ts "$@"
