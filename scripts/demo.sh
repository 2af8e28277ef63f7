#!/usr/bin/env bash
# `npm run demo`: installs what is missing, starts localcloud, creates the stack in it and runs the
# pipeline as a push to main would (releases 1 and 2, a bad release 3 that rolls itself back, a
# manual rollback to 1), then keeps serving until Ctrl-C. `npm run demo -- --once` exits after it.
# `npm run demo -- --example flask-api` releases examples/flask-api instead (its README says what).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/use-node.sh
bash scripts/setup.sh
exec npx tsx actions/scripts/demo/main.ts "$@"
