#!/usr/bin/env bash
# `npm test`: provision system parts, type-check, lint, then every vitest suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/provision.sh
echo "== typecheck"; npx tsc --noEmit -p tsconfig.json
echo "== lint"; npx eslint .
echo "== tests"; npx vitest run "$@"
