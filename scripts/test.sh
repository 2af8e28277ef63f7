#!/usr/bin/env bash
# The whole check: install, lint + format, type check, every test.
# Ends with one plain line, "N passed, N failed", counting the lint and type
# checks as one check each beside the tests.
set -uo pipefail
cd "$(dirname "$0")/.."
# Node 24 first on PATH (installed when the machine's is older) before npm ci and every check.
source scripts/use-node.sh || { echo "0 passed, 1 failed"; exit 1; }
bash scripts/setup.sh || { echo "0 passed, 1 failed"; exit 1; }
echo "── running on Node $(node --version) ($(command -v node))"

checks_passed=0
checks_failed=0
check() {
  local name=$1
  shift
  echo "── $name"
  if "$@"; then checks_passed=$((checks_passed + 1)); else
    echo "✗ $name failed"
    checks_failed=$((checks_failed + 1))
  fi
}
check "lint and format (biome)" npx biome check .
check "type check (tsc -b)" npx tsc -b
if grep -q '"check:dist"' package.json; then check "actions dist is fresh" npm run -s check:dist; fi

# The SDK's notice about a future Node requirement says nothing about this run.
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
mkdir -p .test-results
rm -f .test-results/vitest.json
npx vitest run --reporter=default --reporter=json --outputFile.json=.test-results/vitest.json "$@"
vitest_rc=$?
node scripts/summarize-tests.mjs .test-results/vitest.json "$checks_passed" "$checks_failed" "$vitest_rc"
