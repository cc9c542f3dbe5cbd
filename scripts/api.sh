#!/usr/bin/env bash
# The API report and the generated API reference.
#   bash scripts/api.sh          (npm run api)        regenerate etc/*.api.md and docs/api/
#   bash scripts/api.sh --check  (npm run api:check)  fail when either differs from the code
# Every entry point has a report: the root (api-extractor.json), /local and /jest (etc/).
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-}"
rm -rf build temp/api
npx tsc -p tsconfig.build.json

configs=(api-extractor.json etc/api-extractor.local.json etc/api-extractor.jest.json)
status=0
for config in "${configs[@]}"; do
  if [ "$mode" = "--check" ]; then
    # Without --local, API Extractor fails when the report in etc/ is not what the code exports.
    npx api-extractor run -c "$config" || status=1
  else
    npx api-extractor run --local -c "$config"
  fi
done
if [ "$status" -ne 0 ]; then
  echo "the public API changed: run 'npm run api', review the diff of etc/*.api.md and commit it" >&2
  exit 1
fi

# Markdown reference from the doc models: docs/api (root), docs/api/local, docs/api/jest.
out=docs/api
if [ "$mode" = "--check" ]; then out=temp/api/docs; fi
npx api-documenter markdown -i temp/api/model/root -o "$out" > /dev/null
npx api-documenter markdown -i temp/api/model/local -o "$out/local" > /dev/null
npx api-documenter markdown -i temp/api/model/jest -o "$out/jest" > /dev/null

if [ "$mode" = "--check" ]; then
  if ! diff -r -q docs/api "$out"; then
    echo "docs/api is stale: run 'npm run api' and commit the result" >&2
    exit 1
  fi
fi
