#!/usr/bin/env bash
# CI: the docs and the import graph, through the commands CONTRIBUTING.md shows.
# npm test runs the same checks (test/docs.test.ts, test/layering.test.ts);
# this runs the commands themselves so they keep working.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== props tables of docs/ current, every optional prop with a @default (npm run docs:check)"
npm run --silent docs:check

echo "== no import cycles (npm run cycles, dpdm)"
npm run --silent cycles
