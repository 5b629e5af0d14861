#!/usr/bin/env bash
# `npm test`: provision system parts, type-check, check formatting, lint, then every vitest suite:
# both projects, `unit` and `integration` (vitest.config.ts, test/projects.ts);
# arguments go to vitest (`npm test -- --project unit`).
# Ends with a plain "N passed, N failed" line read from vitest's JSON report;
# the exit status is vitest's own.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/provision.sh
echo "== typecheck"; npx tsc --noEmit -p tsconfig.json && npx tsc --noEmit -p local/playground/tsconfig.json
echo "== format"; npx prettier --check . --log-level warn
echo "== lint"; npx eslint .
echo "== tests"
mkdir -p test-artifacts
rm -f test-artifacts/vitest-results.json
set +e
npx vitest run --reporter=default --reporter=json --outputFile.json=test-artifacts/vitest-results.json "$@"
status=$?
set -e
node -e '
  const r = JSON.parse(require("node:fs").readFileSync("test-artifacts/vitest-results.json", "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' || echo "no test results were written" >&2
exit "$status"
